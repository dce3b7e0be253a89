/**
 * Which attachments may go to the model: the image and video types Gemini
 * accepts (platform-limits.md §3), within the configured size. Checked on the
 * platform's metadata before anything is downloaded.
 */
import type { AttachmentRef } from '../conversation/types.ts';
import { userText } from '../user-text.ts';

const ACCEPTED_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/heic',
  'image/heif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'video/mpeg',
  'video/mpg',
  'video/x-flv',
  'video/wmv',
  'video/x-ms-wmv',
  'video/3gpp',
  'video/avi',
  'video/x-msvideo',
]);

const TYPE_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  mpeg: 'video/mpeg',
  mpg: 'video/mpeg',
  flv: 'video/x-flv',
  wmv: 'video/wmv',
  '3gp': 'video/3gpp',
  avi: 'video/avi',
};

/** The attachment's MIME type: the platform's word (without parameters), else its file extension. */
export function mediaTypeOf(attachment: Pick<AttachmentRef, 'contentType' | 'name'>): string | undefined {
  const declared = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream') return declared;
  const extension = attachment.name.split('.').pop()?.toLowerCase() ?? '';
  return TYPE_BY_EXTENSION[extension];
}

export type AttachmentVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function checkAttachment(attachment: AttachmentRef, maxBytes: number): AttachmentVerdict {
  const type = mediaTypeOf(attachment);
  if (!type || !ACCEPTED_TYPES.has(type)) return { ok: false, reason: userText.attachmentUnsupported(type ?? attachment.contentType) };
  if (attachment.size !== undefined && attachment.size > maxBytes) {
    return { ok: false, reason: userText.attachmentTooLarge(Math.round(maxBytes / (1024 * 1024))) };
  }
  return { ok: true };
}
