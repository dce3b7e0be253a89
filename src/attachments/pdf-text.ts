/**
 * A PDF's text layer, page by page, with unpdf (PDF.js built for servers: pure
 * JS, no native addon, no worker, no network). Pages are read in order and the
 * reading stops once `maxChars` are collected, so a 900-page manual costs only
 * the pages that are sent. A PDF whose pages carry no text (a scan) says so.
 */
import { getDocumentProxy } from 'unpdf';

export type PdfText =
  | {
      readonly type: 'pages';
      /** The text of pages 1…n, in order; n < totalPages when reading stopped at `maxChars`. */
      readonly pages: readonly string[];
      readonly totalPages: number;
    }
  /** Pages, but no text on any of them: a scan or a picture saved as PDF. */
  | { readonly type: 'no-text'; readonly totalPages: number }
  | { readonly type: 'encrypted' }
  | { readonly type: 'invalid' };

/** PDF.js's text items: a run of text, and whether a line ends after it. */
interface TextItem {
  readonly str?: string;
  readonly hasEOL?: boolean;
}

const pageText = (items: readonly unknown[]): string =>
  items
    .map((item) => {
      const { str, hasEOL } = item as TextItem;
      return (str ?? '') + (hasEOL ? '\n' : '');
    })
    .join('')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

export async function extractPdfText(bytes: Uint8Array, opts: { readonly maxChars: number; readonly signal: AbortSignal }): Promise<PdfText> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // PDF.js takes the buffer over: hand it a copy so the caller's bytes stay usable.
    pdf = await getDocumentProxy(new Uint8Array(bytes), {
      verbosity: 0,
      useSystemFonts: false,
      disableFontFace: true,
      stopAtErrors: false,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'PasswordException') return { type: 'encrypted' };
    return { type: 'invalid' };
  }
  try {
    const pages: string[] = [];
    let chars = 0;
    for (let number = 1; number <= pdf.numPages && chars < opts.maxChars; number += 1) {
      opts.signal.throwIfAborted();
      const content = await (await pdf.getPage(number)).getTextContent();
      const text = pageText(content.items);
      pages.push(text);
      chars += text.length;
    }
    if (pages.length === pdf.numPages && pages.every((p) => p === '')) return { type: 'no-text', totalPages: pdf.numPages };
    return { type: 'pages', pages, totalPages: pdf.numPages };
  } finally {
    await pdf.loadingTask.destroy().catch(() => undefined);
  }
}
