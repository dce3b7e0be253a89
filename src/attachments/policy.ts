/**
 * What the bot does with an attachment, decided on the platform's metadata before
 * anything is downloaded: an image or video Gemini accepts goes upstream as a URL
 * (platform-limits.md §3), within the configured size; a PDF or text file is read
 * by the bot (documents); anything else is named in a notice.
 */
import type { AttachmentReason } from '../errors/attachment-error.ts';
import type { AttachmentRef } from './attachment-ref.ts';
import { extensionOf, isPdf, isTextName, isTextType } from './document-types.ts';

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
  pdf: 'application/pdf',
};

const declaredTypeOf = (attachment: Pick<AttachmentRef, 'contentType'>): string | undefined => {
  const declared = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  return declared && declared !== 'application/octet-stream' ? declared : undefined;
};

/** The attachment's MIME type: the platform's word (without parameters), else its file extension. */
export function mediaTypeOf(attachment: Pick<AttachmentRef, 'contentType' | 'name'>): string | undefined {
  return declaredTypeOf(attachment) ?? TYPE_BY_EXTENSION[extensionOf(attachment.name)];
}

/** `media` goes upstream as a URL; `text` and `pdf` are documents the bot reads into text. */
export type AttachmentKind = 'media' | 'text' | 'pdf';

export type AttachmentVerdict = { readonly ok: true; readonly kind: AttachmentKind } | { readonly ok: false; readonly reason: AttachmentReason };

/**
 * Media and PDFs over `maxBytes` are refused: a PDF's text needs the whole file.
 * A text file of any size is accepted, since only its beginning is read.
 */
export function checkAttachment(attachment: AttachmentRef, maxBytes: number): AttachmentVerdict {
  const type = mediaTypeOf(attachment);
  const tooLarge = attachment.size !== undefined && attachment.size > maxBytes;
  const refuseLarge = { ok: false, reason: { kind: 'too-large', limitMb: Math.round(maxBytes / (1024 * 1024)) } } as const;
  if (type && ACCEPTED_TYPES.has(type)) return tooLarge ? refuseLarge : { ok: true, kind: 'media' };
  if (isPdf(type, attachment.name)) return tooLarge ? refuseLarge : { ok: true, kind: 'pdf' };
  if (isTextType(type) || isTextName(attachment.name)) return { ok: true, kind: 'text' };
  return { ok: false, reason: { kind: 'unsupported', contentType: type ?? attachment.contentType } };
}
