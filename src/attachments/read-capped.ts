/**
 * Reads an HTTP body up to a byte cap and stops there, cancelling the rest, so a
 * huge or endless file never sits in memory whole. Shared by the adapters'
 * downloads (Slack files, Discord CDN).
 */
import type { DownloadedFile } from './attachment-ref.ts';

export async function readCapped(response: Response, maxBytes: number): Promise<DownloadedFile> {
  if (!response.body) return { bytes: new Uint8Array(0), complete: true };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - total));
      await reader.cancel();
      return { bytes: Buffer.concat(chunks), complete: false };
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}
