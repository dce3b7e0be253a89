/**
 * Reads a document attachment into the text the model gets: a text file's
 * beginning as UTF-8, a PDF's text page by page (`--- page 2 ---`), framed with the
 * file's name. The bot downloads these itself, through the adapter's resolver
 * (the platform's hosts and tokens), never more bytes than the caps allow.
 * What was read is kept in a small cache, since history sends a document again
 * on the next few turns.
 */
import { AttachmentError, type AttachmentReason } from '../errors/attachment-error.ts';
import type { AttachmentRef, AttachmentResolver } from './attachment-ref.ts';
import { extractPdfText } from './pdf-text.ts';
import { decodeText } from './text-document.ts';
import type { TurnAllowance } from './turn-allowance.ts';

/** UTF-8 takes at most 4 bytes a character: this many bytes always hold `chars` characters. */
const bytesFor = (chars: number) => chars * 4;

export type DocumentKind = 'text' | 'pdf';

export type DocumentRead =
  | {
      readonly ok: true;
      /** The document as the model reads it, framed with its name. */
      readonly text: string;
      /** True when the text stops before the file's end (a cap was reached). */
      readonly cut: boolean;
    }
  | { readonly ok: false; readonly reason: AttachmentReason; readonly overTotal?: undefined; readonly cause?: unknown }
  /** Left out because the turn's attachments reached ATTACHMENT_TOTAL_MAX_MB: one notice names them all. */
  | { readonly ok: false; readonly overTotal: true };

const OVER_TOTAL = { ok: false, overTotal: true } as const;

/** A document's text before this turn's cut: `complete` when it holds the whole file. */
interface Extracted {
  readonly body: string;
  readonly complete: boolean;
  readonly bytes: number;
}

export interface DocumentReaderOptions {
  /** Largest PDF downloaded (ATTACHMENT_MAX_MB): its text needs the whole file. */
  readonly maxBytes: number;
  /** Most characters of one document's text kept (DOCUMENT_MAX_CHARS); the turn's own cut comes on top. */
  readonly maxChars: number;
  /** Characters of extracted text kept for documents sent again; least recently used dropped first. */
  readonly cacheChars?: number;
}

export class DocumentReader {
  readonly #o: DocumentReaderOptions;
  /** Insertion order is recency: a hit moves to the end, eviction takes from the front. */
  readonly #cache = new Map<string, Extracted>();
  #cachedChars = 0;

  constructor(options: DocumentReaderOptions) {
    this.#o = options;
  }

  async read(
    attachment: AttachmentRef,
    kind: DocumentKind,
    opts: { readonly resolver: AttachmentResolver; readonly allowance: TurnAllowance; readonly signal: AbortSignal },
  ): Promise<DocumentRead> {
    const { allowance } = opts;
    if (allowance.charsLeft === 0) return { ok: false, reason: { kind: 'budget-spent', maxChars: this.#o.maxChars } };
    let extracted = this.#cached(attachment.ref);
    if (!extracted) {
      const got = await this.#extract(attachment, kind, opts);
      if ('ok' in got) return got;
      extracted = got;
    }
    if (extracted.bytes > allowance.bytesLeft) return OVER_TOTAL;
    const cutAt = Math.min(extracted.body.length, allowance.charsLeft);
    const body = cutAt < extracted.body.length ? sliceWhole(extracted.body, cutAt) : extracted.body;
    const cut = body.length < extracted.body.length || !extracted.complete;
    allowance.spend({ bytes: extracted.bytes, chars: body.length });
    return { ok: true, text: frame(attachment.name, body, cut), cut };
  }

  async #extract(
    attachment: AttachmentRef,
    kind: DocumentKind,
    opts: { readonly resolver: AttachmentResolver; readonly allowance: TurnAllowance; readonly signal: AbortSignal },
  ): Promise<Extracted | Extract<DocumentRead, { ok: false }>> {
    const wanted = kind === 'pdf' ? this.#o.maxBytes : bytesFor(this.#o.maxChars);
    // Skip on the platform's word when it already tells the file would not fit: nothing is downloaded.
    const expected = attachment.size === undefined ? 0 : Math.min(attachment.size, wanted);
    if (expected > opts.allowance.bytesLeft) return OVER_TOTAL;
    const cap = Math.min(wanted, opts.allowance.bytesLeft);
    let file;
    try {
      file = await opts.resolver.download(attachment, { maxBytes: cap, signal: opts.signal });
    } catch (error) {
      if (opts.signal.aborted) throw error;
      return { ok: false, reason: error instanceof AttachmentError ? error.reason : { kind: 'unreachable' }, cause: error };
    }
    // Stopped by the turn's total rather than by the file's own cap: left out, and not cached.
    const stoppedByTotal = !file.complete && cap < wanted;
    if (kind === 'pdf') {
      if (!file.complete) {
        return stoppedByTotal ? OVER_TOTAL : { ok: false, reason: { kind: 'too-large', limitMb: Math.round(this.#o.maxBytes / (1024 * 1024)) } };
      }
      return this.#remember(attachment.ref, await this.#pdfText(file.bytes, opts.signal), file.bytes.byteLength);
    }
    if (stoppedByTotal) return OVER_TOTAL;
    const decoded = decodeText(file.bytes, file.complete);
    if (decoded.type === 'binary') return { ok: false, reason: { kind: 'not-text' } };
    const complete = file.complete && decoded.text.length <= this.#o.maxChars;
    return this.#remember(attachment.ref, { body: sliceWhole(decoded.text, this.#o.maxChars), complete }, file.bytes.byteLength);
  }

  async #pdfText(bytes: Uint8Array, signal: AbortSignal): Promise<{ body: string; complete: boolean } | { ok: false; reason: AttachmentReason }> {
    const pdf = await extractPdfText(bytes, { maxChars: this.#o.maxChars, signal });
    if (pdf.type === 'no-text') return { ok: false, reason: { kind: 'pdf-no-text' } };
    if (pdf.type === 'encrypted') return { ok: false, reason: { kind: 'pdf-encrypted' } };
    if (pdf.type === 'invalid') return { ok: false, reason: { kind: 'pdf-invalid' } };
    const body = pdf.pages.map((text, i) => `--- page ${i + 1} ---\n${text}`).join('\n\n');
    return { body, complete: pdf.pages.length === pdf.totalPages && body.length <= this.#o.maxChars };
  }

  #cached(ref: string): Extracted | undefined {
    const hit = this.#cache.get(ref);
    if (hit) {
      this.#cache.delete(ref);
      this.#cache.set(ref, hit);
    }
    return hit;
  }

  #remember(
    ref: string,
    text: { body: string; complete: boolean } | { ok: false; reason: AttachmentReason },
    bytes: number,
  ): Extracted | { ok: false; reason: AttachmentReason } {
    if ('reason' in text) return text;
    const extracted = { body: text.body, complete: text.complete, bytes };
    const limit = this.#o.cacheChars ?? 2_000_000;
    if (extracted.body.length > limit) return extracted;
    this.#cache.set(ref, extracted);
    this.#cachedChars += extracted.body.length;
    for (const [key, entry] of this.#cache) {
      if (this.#cachedChars <= limit) break;
      this.#cache.delete(key);
      this.#cachedChars -= entry.body.length;
    }
    return extracted;
  }
}

/** Cuts at `end` without splitting a surrogate pair (an emoji would become two broken halves). */
function sliceWhole(text: string, end: number): string {
  if (end >= text.length) return text;
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/** The document as the model reads it: its name in a tag it can refer to, and where it was cut. */
function frame(name: string, body: string, cut: boolean): string {
  const safeName = name.replaceAll('"', "'").replace(/[\r\n]+/g, ' ');
  const end = cut ? `\n[… ${safeName} is cut here: the rest was not read]` : '';
  return `<document name="${safeName}">\n${body}${end}\n</document>`;
}
