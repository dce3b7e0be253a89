/**
 * An attachment an adapter could not fetch, with the reason a user should read
 * (it ends the core's "I could not use X: …", src/user-text.ts `attachmentSkipped`).
 */
export class AttachmentError extends Error {
  override name = 'AttachmentError';
  readonly userReason: string;
  constructor(message: string, userReason: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.userReason = userReason;
  }
}
