/**
 * Why an attachment could not be used, as a value: the core tells the user in
 * their language (src/user-text.ts `attachmentReason`, after "I could not use X: …").
 */
export type AttachmentReason =
  /** Over ATTACHMENT_MAX_MB (in whole MB). */
  | { readonly kind: 'too-large'; readonly limitMb: number }
  /** Not an image, video, PDF or text file; the platform's content type, if it gave one. */
  | { readonly kind: 'unsupported'; readonly contentType: string | undefined }
  /** A text-like file whose bytes are not text. */
  | { readonly kind: 'not-text' }
  | { readonly kind: 'pdf-no-text' }
  | { readonly kind: 'pdf-encrypted' }
  | { readonly kind: 'pdf-invalid' }
  /** The documents before it already used the message's DOCUMENT_MAX_CHARS. */
  | { readonly kind: 'budget-spent'; readonly maxChars: number }
  /** The download failed; `status` is the HTTP status the file host answered with, if it answered. */
  | { readonly kind: 'unreachable'; readonly status?: number | undefined }
  /** The platform would not hand the file over without this scope (Slack's files:read). */
  | { readonly kind: 'missing-scope'; readonly scope: string }
  /** The file's URL is not on the platform's own hosts, so no token goes there. */
  | { readonly kind: 'not-on-platform'; readonly platform: string }
  /** Reading it failed in the bot (a PDF that breaks the parser). */
  | { readonly kind: 'unreadable' };

/** An attachment an adapter could not fetch, with why, for the user. */
export class AttachmentError extends Error {
  override name = 'AttachmentError';
  readonly reason: AttachmentReason;
  constructor(message: string, reason: AttachmentReason, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.reason = reason;
  }
}
