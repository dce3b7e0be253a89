/**
 * A text attachment's bytes as text: UTF-8 (a byte-order mark dropped), or the
 * verdict that it is not text after all (a binary file with a text-like name).
 */

export type DecodedText = { readonly type: 'text'; readonly text: string } | { readonly type: 'binary' };

/** Bytes looked at for NULs: text files have none, nearly every binary format has some early on. */
const SNIFF_BYTES = 8000;
/** More replacement characters than this share means it was not UTF-8 text to begin with. */
const MAX_INVALID_SHARE = 0.02;

/**
 * Decodes `bytes` as UTF-8. When `complete` is false the bytes are a file's beginning,
 * so a character split at the end is left out rather than shown as garbage.
 */
export function decodeText(bytes: Uint8Array, complete: boolean): DecodedText {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { type: 'binary' };
  const text = new TextDecoder('utf-8').decode(bytes, { stream: !complete });
  let invalid = 0;
  for (const char of text) if (char === '\uFFFD') invalid += 1;
  if (invalid > 0 && invalid / Math.max(text.length, 1) > MAX_INVALID_SHARE) return { type: 'binary' };
  return { type: 'text', text };
}
