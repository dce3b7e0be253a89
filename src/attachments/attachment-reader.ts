/**
 * A message's attachments, made ready for the request: images and videos as URLs
 * the provider fetches, documents as text the bot read. Each file is checked on
 * the platform's metadata first (type, size, the turn's total) and nothing is
 * downloaded that would not be used; each one that cannot be used comes back as a
 * problem naming it, for the caller to show or pass over.
 */
import { AttachmentError, type AttachmentReason } from '../errors/attachment-error.ts';
import type { AttachmentRef, AttachmentResolver } from './attachment-ref.ts';
import { DocumentReader } from './document-reader.ts';
import { checkAttachment } from './policy.ts';
import { TurnAllowance } from './turn-allowance.ts';

/** One attachment as it goes upstream. */
export type AttachmentContent =
  | { readonly type: 'media'; readonly attachment: AttachmentRef; readonly url: string }
  /** `text` is the document framed with its name (`<document name="…">…</document>`). */
  | { readonly type: 'document'; readonly attachment: AttachmentRef; readonly text: string };

/**
 * Why an attachment was not (wholly) used: `skipped` with the reason the user is told, `cut`
 * (a document read only in part), or `over-total` (the turn's files reached their total).
 */
export type AttachmentProblem =
  | { readonly type: 'skipped'; readonly attachment: AttachmentRef; readonly reason: AttachmentReason; readonly cause?: unknown }
  | { readonly type: 'cut'; readonly attachment: AttachmentRef }
  | { readonly type: 'over-total'; readonly attachment: AttachmentRef };

export interface AttachmentLimits {
  /** Largest single image, video or PDF, in bytes (ATTACHMENT_MAX_MB). */
  readonly maxBytes: number;
  /** All files of one turn together, in bytes (ATTACHMENT_TOTAL_MAX_MB). */
  readonly totalMaxBytes: number;
  /** Characters of document text one turn sends (DOCUMENT_MAX_CHARS). */
  readonly documentMaxChars: number;
}

export interface AttachmentsRead {
  readonly contents: AttachmentContent[];
  readonly problems: AttachmentProblem[];
}

export class AttachmentReader {
  readonly limits: AttachmentLimits;
  readonly #documents: DocumentReader;

  constructor(limits: AttachmentLimits) {
    this.limits = limits;
    this.#documents = new DocumentReader({ maxBytes: limits.maxBytes, maxChars: limits.documentMaxChars });
  }

  /** A fresh allowance for one turn. */
  allowance(): TurnAllowance {
    return new TurnAllowance(this.limits);
  }

  /**
   * Reads `attachments` in order, spending from `allowance`. Never throws: a file that fails
   * is a problem, and once `signal` aborts (Stop) the rest are not read.
   */
  async read(
    attachments: readonly AttachmentRef[],
    opts: { readonly resolver: AttachmentResolver; readonly allowance: TurnAllowance; readonly signal: AbortSignal },
  ): Promise<AttachmentsRead> {
    const read: AttachmentsRead = { contents: [], problems: [] };
    for (const attachment of attachments) {
      if (opts.signal.aborted) break;
      try {
        await this.#readOne(attachment, opts, read);
      } catch (error) {
        if (opts.signal.aborted) break;
        // A resolver's download failure says why; anything else (a PDF that breaks the parser) is the bot's.
        const reason: AttachmentReason = error instanceof AttachmentError ? error.reason : { kind: 'unreadable' };
        read.problems.push({ type: 'skipped', attachment, reason, cause: error });
      }
    }
    return read;
  }

  async #readOne(
    attachment: AttachmentRef,
    opts: { readonly resolver: AttachmentResolver; readonly allowance: TurnAllowance; readonly signal: AbortSignal },
    read: AttachmentsRead,
  ): Promise<void> {
    const verdict = checkAttachment(attachment, this.limits.maxBytes);
    if (!verdict.ok) {
      read.problems.push({ type: 'skipped', attachment, reason: verdict.reason });
      return;
    }
    if (verdict.kind !== 'media') {
      const doc = await this.#documents.read(attachment, verdict.kind, opts);
      if (doc.ok) {
        read.contents.push({ type: 'document', attachment, text: doc.text });
        if (doc.cut) read.problems.push({ type: 'cut', attachment });
      } else {
        read.problems.push(doc.overTotal ? { type: 'over-total', attachment } : { type: 'skipped', attachment, reason: doc.reason, cause: doc.cause });
      }
      return;
    }
    // The provider downloads media itself: the platform's size is what the request will weigh.
    const bytes = attachment.size ?? 0;
    if (bytes > opts.allowance.bytesLeft) {
      read.problems.push({ type: 'over-total', attachment });
      return;
    }
    try {
      read.contents.push({ type: 'media', attachment, url: await opts.resolver.resolve(attachment, opts.signal) });
    } catch (error) {
      if (error instanceof AttachmentError || opts.signal.aborted) throw error;
      throw new AttachmentError('attachment could not be resolved', { kind: 'unreachable' }, { cause: error });
    }
    opts.allowance.spend({ bytes });
  }
}
