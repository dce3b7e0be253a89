import { expect, test } from 'vitest';
import type { AttachmentRef, AttachmentResolver } from '../../src/attachments/attachment-ref.ts';
import { AttachmentReader } from '../../src/attachments/attachment-reader.ts';
import { buildPdf } from '../support/pdf-builder.ts';

const MB = 1024 * 1024;
const signal = new AbortController().signal;

/** A resolver over files in memory that counts what it was asked to download, and how much. */
function filesResolver(files: Record<string, Uint8Array | string>) {
  const downloads: { ref: string; maxBytes: number }[] = [];
  const resolver: AttachmentResolver = {
    resolve: async (a) => `https://cdn.test/${a.ref}`,
    download: async (a, { maxBytes }) => {
      downloads.push({ ref: a.ref, maxBytes });
      const file = files[a.ref];
      const bytes = typeof file === 'string' ? new TextEncoder().encode(file) : (file ?? new Uint8Array(0));
      return { bytes: bytes.subarray(0, maxBytes), complete: bytes.byteLength <= maxBytes };
    },
  };
  return { resolver, downloads };
}

const ref = (name: string, size?: number, contentType?: string): AttachmentRef => ({ ref: name, name, size, contentType });

function reader(limits: Partial<{ maxBytes: number; totalMaxBytes: number; documentMaxChars: number }> = {}) {
  return new AttachmentReader({ maxBytes: 20 * MB, totalMaxBytes: 40 * MB, documentMaxChars: 100_000, ...limits });
}

test('a source file goes as text framed with its name', async () => {
  const { resolver } = filesResolver({ 'fib.py': 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n' });
  const r = reader();
  const read = await r.read([ref('fib.py')], { resolver, allowance: r.allowance(), signal });
  expect(read.problems).toEqual([]);
  expect(read.contents).toEqual([
    {
      type: 'document',
      attachment: ref('fib.py'),
      text: '<document name="fib.py">\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n</document>',
    },
  ]);
});

test('a PDF goes as its text, each page marked, in order', async () => {
  const pdf = buildPdf([{ text: 'Quarterly report' }, { text: 'Revenue grew 12%' }, { text: 'Outlook: stable' }]);
  const { resolver } = filesResolver({ 'q3.pdf': pdf });
  const r = reader();
  const read = await r.read([ref('q3.pdf', pdf.byteLength)], { resolver, allowance: r.allowance(), signal });
  expect(read.contents[0]?.type === 'document' && read.contents[0].text).toBe(
    '<document name="q3.pdf">\n--- page 1 ---\nQuarterly report\n\n--- page 2 ---\nRevenue grew 12%\n\n--- page 3 ---\nOutlook: stable\n</document>',
  );
});

test('a scanned PDF (an image, no text) and a binary file named .txt come back as problems with the reason', async () => {
  const { resolver } = filesResolver({ 'scan.pdf': buildPdf([{ image: true }]), 'blob.txt': new Uint8Array([0x89, 0x50, 0x00, 0x01, 0x02]) });
  const r = reader();
  const read = await r.read([ref('scan.pdf'), ref('blob.txt')], { resolver, allowance: r.allowance(), signal });
  expect(read.contents).toEqual([]);
  expect(read.problems).toEqual([
    { type: 'skipped', attachment: ref('scan.pdf'), reason: { kind: 'pdf-no-text' } },
    { type: 'skipped', attachment: ref('blob.txt'), reason: { kind: 'not-text' } },
  ]);
});

test('documents past DOCUMENT_MAX_CHARS are cut, the cut marked for the model and reported', async () => {
  const { resolver } = filesResolver({ 'a.md': 'a'.repeat(60), 'b.md': 'b'.repeat(60) });
  const r = reader({ documentMaxChars: 100 });
  const read = await r.read([ref('a.md'), ref('b.md')], { resolver, allowance: r.allowance(), signal });
  const texts = read.contents.map((c) => (c.type === 'document' ? c.text : ''));
  expect(texts[0]).toBe(`<document name="a.md">\n${'a'.repeat(60)}\n</document>`);
  expect(texts[1]).toBe(`<document name="b.md">\n${'b'.repeat(40)}\n[… b.md is cut here: the rest was not read]\n</document>`);
  expect(read.problems).toEqual([{ type: 'cut', attachment: ref('b.md') }]);
});

test('a long text file is downloaded only as far as it is read', async () => {
  const { resolver, downloads } = filesResolver({ 'big.log': 'x'.repeat(10_000) });
  const r = reader({ documentMaxChars: 100 });
  await r.read([ref('big.log', 10_000)], { resolver, allowance: r.allowance(), signal });
  expect(downloads).toEqual([{ ref: 'big.log', maxBytes: 400 }]);
});

test('past the total, files are left out on their reported size and never downloaded; smaller ones after still fit', async () => {
  const { resolver, downloads } = filesResolver({ 'notes.txt': 'small notes' });
  const r = reader({ totalMaxBytes: 40 * MB });
  const files = [ref('a.png', 18 * MB, 'image/png'), ref('b.png', 18 * MB, 'image/png'), ref('report.pdf', 10 * MB), ref('notes.txt', 11)];
  const read = await r.read(files, { resolver, allowance: r.allowance(), signal });
  expect(read.contents.map((c) => c.attachment.name)).toEqual(['a.png', 'b.png', 'notes.txt']);
  expect(read.problems).toEqual([{ type: 'over-total', attachment: files[2] }]);
  expect(downloads.map((d) => d.ref)).toEqual(['notes.txt']);
});

test('a document sent again on a later turn is not downloaded again', async () => {
  const { resolver, downloads } = filesResolver({ 'spec.md': '# Spec' });
  const r = reader();
  await r.read([ref('spec.md')], { resolver, allowance: r.allowance(), signal });
  const again = await r.read([ref('spec.md')], { resolver, allowance: r.allowance(), signal });
  expect(again.contents).toHaveLength(1);
  expect(downloads).toHaveLength(1);
});

test('a Stop while files are read ends the reading without an error, and nothing after it is fetched', async () => {
  const controller = new AbortController();
  const downloads: string[] = [];
  const resolver: AttachmentResolver = {
    resolve: async (a) => `https://cdn.test/${a.ref}`,
    download: async (a, { signal }) => {
      downloads.push(a.ref);
      controller.abort();
      signal.throwIfAborted();
      return { bytes: new Uint8Array(0), complete: true };
    },
  };
  const r = reader();
  const read = await r.read([ref('a.txt'), ref('b.txt')], { resolver, allowance: r.allowance(), signal: controller.signal });
  expect(read).toEqual({ contents: [], problems: [] });
  expect(downloads).toEqual(['a.txt']);
});

test('a platform failure resolving an image is a problem naming it, not an error', async () => {
  const resolver: AttachmentResolver = {
    resolve: async () => {
      throw new Error('socket hang up');
    },
    download: async () => ({ bytes: new Uint8Array(0), complete: true }),
  };
  const r = reader();
  const read = await r.read([ref('cat.png', 10, 'image/png')], { resolver, allowance: r.allowance(), signal });
  expect(read.problems).toEqual([{ type: 'skipped', attachment: ref('cat.png', 10, 'image/png'), reason: { kind: 'unreachable' }, cause: expect.any(Error) }]);
});
