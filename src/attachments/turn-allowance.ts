/**
 * What one turn may still spend on attachments: bytes of files of every kind
 * (ATTACHMENT_TOTAL_MAX_MB), so one message cannot build a request of hundreds of
 * MB, and characters of document text (DOCUMENT_MAX_CHARS). One per turn, shared
 * by the new message's files and those of earlier messages sent again.
 */
export class TurnAllowance {
  #bytes: number;
  #chars: number;

  constructor(limits: { readonly totalMaxBytes: number; readonly documentMaxChars: number }) {
    this.#bytes = limits.totalMaxBytes;
    this.#chars = limits.documentMaxChars;
  }

  get bytesLeft(): number {
    return this.#bytes;
  }

  get charsLeft(): number {
    return this.#chars;
  }

  spend(cost: { readonly bytes?: number; readonly chars?: number }): void {
    this.#bytes = Math.max(0, this.#bytes - (cost.bytes ?? 0));
    this.#chars = Math.max(0, this.#chars - (cost.chars ?? 0));
  }
}
