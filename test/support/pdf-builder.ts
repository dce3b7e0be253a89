/**
 * A tiny hand-written PDF builder for tests: pages of Helvetica text, or pages
 * holding only an image (a "scan", no text layer). Just enough of PDF 1.4 for
 * PDF.js to open: objects, a cross-reference table with exact offsets, a trailer.
 */

export type PdfPage = { readonly text: string } | { readonly image: true };

/** Escapes the characters PDF string literals reserve. */
const literal = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

export function buildPdf(pages: readonly PdfPage[]): Uint8Array {
  const objects: string[] = [];
  /** Adds an object; its number is its 1-based position. */
  const add = (body: string) => objects.push(body);
  const catalog = add('');
  const pageTree = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  // A 2×2 grey image: what a scanner's output looks like to a text extractor (no text at all).
  const image = add('<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\u0000\u00ff\u00ff\u0000\nendstream');
  const kids: number[] = [];
  for (const page of pages) {
    const stream =
      'text' in page
        ? page.text
            .split('\n')
            .map((line, i) => `BT /F1 12 Tf 72 ${720 - i * 16} Td (${literal(line)}) Tj ET`)
            .join('\n')
        : 'q 200 0 0 200 72 500 cm /Im1 Do Q';
    const content = add(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    kids.push(
      add(
        `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> /XObject << /Im1 ${image} 0 R >> >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pageTree} 0 R >>`;
  objects[pageTree - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;

  // latin1 keeps one byte per character, so string lengths are byte offsets.
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
