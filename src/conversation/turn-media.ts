/**
 * A turn's attachments: the new message's files first, then those of earlier
 * messages sent again, all spending one allowance (ATTACHMENT_TOTAL_MAX_MB,
 * DOCUMENT_MAX_CHARS). Files the user has not been told about yet (the new
 * message's, and those of messages just read in from the platform) get a notice
 * when they cannot be used or were cut; files from history that no longer resolve
 * are named in text instead. Files left out for the total share one notice.
 */
import type { Logger } from 'pino';
import type { AttachmentContent, AttachmentProblem, AttachmentReader } from '../attachments/attachment-reader.ts';
import type { TurnAllowance } from '../attachments/turn-allowance.ts';
import type { UserText } from '../user-text.ts';
import type { AttachmentRef, AttachmentResolver } from './types.ts';

/** Where a turn's files come from, where its notices go, and the asker's language they are in. */
export interface TurnMediaIo {
  readonly resolver: AttachmentResolver;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly notice: (markdown: string) => void;
  readonly texts: UserText;
}

export class TurnMedia {
  readonly #reader: AttachmentReader;
  readonly #io: TurnMediaIo;
  readonly #allowance: TurnAllowance;
  readonly #overTotal: string[] = [];

  constructor(reader: AttachmentReader, io: TurnMediaIo) {
    this.#reader = reader;
    this.#io = io;
    this.#allowance = reader.allowance();
  }

  /** Reads `attachments`; `tell` says whether the user should hear about the ones that could not be used. */
  async read(attachments: readonly AttachmentRef[], tell: boolean): Promise<AttachmentContent[]> {
    if (attachments.length === 0) return [];
    const { contents, problems } = await this.#reader.read(attachments, { resolver: this.#io.resolver, allowance: this.#allowance, signal: this.#io.signal });
    // Stopped while reading: the answer says so; what was not read needs no notice.
    if (this.#io.signal.aborted) return contents;
    for (const problem of problems) this.#report(problem, tell);
    return contents;
  }

  /** Shows the one notice naming every file left out for the turn's total. Call once, after the reads. */
  finish(): void {
    if (this.#overTotal.length === 0) return;
    this.#io.notice(this.#io.texts.attachmentsOverTotal(this.#overTotal, Math.round(this.#reader.limits.totalMaxBytes / (1024 * 1024))));
  }

  #report(problem: AttachmentProblem, tell: boolean): void {
    const name = problem.attachment.name;
    if (!tell) {
      this.#io.log.debug({ attachment: name, problem: problem.type }, 'earlier attachment not sent again');
      return;
    }
    if (problem.type === 'over-total') this.#overTotal.push(name);
    else if (problem.type === 'cut') this.#io.notice(this.#io.texts.documentCut(name));
    else {
      this.#io.log.warn({ err: problem.cause, attachment: name, reason: problem.reason.kind }, 'attachment not used');
      const { texts } = this.#io;
      this.#io.notice(texts.attachmentSkipped(name, texts.attachmentReason(problem.reason)));
    }
  }
}
