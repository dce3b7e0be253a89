/**
 * A turn's images and videos, turned into URLs the provider can fetch. The new
 * message's files are checked first (type, size) and each one that cannot be
 * used becomes a notice naming it, while the text is still answered; an earlier
 * message's files that no longer resolve are named in text instead.
 */
import type { Logger } from 'pino';
import { checkAttachment } from '../attachments/policy.ts';
import { AttachmentError } from '../errors/attachment-error.ts';
import { userText } from '../user-text.ts';
import type { ResolvedUserMessage } from './context.ts';
import type { AttachmentRef, AttachmentResolver } from './types.ts';

type Media = ResolvedUserMessage['media'][number];

export async function resolveNewMedia(
  attachments: readonly AttachmentRef[],
  opts: { resolver: AttachmentResolver; maxBytes: number; signal: AbortSignal; log: Logger; notice: (markdown: string) => void },
): Promise<Media[]> {
  const media: Media[] = [];
  for (const attachment of attachments) {
    const verdict = checkAttachment(attachment, opts.maxBytes);
    if (!verdict.ok) {
      opts.notice(userText.attachmentSkipped(attachment.name, verdict.reason));
      continue;
    }
    try {
      media.push({ attachment, url: await opts.resolver.resolve(attachment, opts.signal) });
    } catch (error) {
      opts.log.warn({ err: error, attachment: attachment.name }, 'attachment could not be resolved');
      const reason = error instanceof AttachmentError ? error.userReason : userText.attachmentUnreachable;
      opts.notice(userText.attachmentSkipped(attachment.name, reason));
    }
  }
  return media;
}

export async function resolveEarlierMedia(
  text: string,
  attachments: readonly AttachmentRef[],
  opts: { resolver: AttachmentResolver; signal: AbortSignal; log: Logger },
): Promise<ResolvedUserMessage> {
  const media: Media[] = [];
  for (const attachment of attachments) {
    try {
      media.push({ attachment, url: await opts.resolver.resolve(attachment, opts.signal) });
    } catch (error) {
      opts.log.debug({ err: error, attachment: attachment.name }, 'earlier attachment no longer resolves');
    }
  }
  return { text, media };
}
