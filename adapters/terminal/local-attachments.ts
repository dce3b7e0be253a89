/**
 * Attachments for the terminal: a URL goes to the provider as it is; a local
 * file goes as a `data:` URL, since the provider cannot reach this machine.
 * Documents (text, PDF) are read from the file or downloaded from the URL.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { mediaTypeOf } from '../../src/attachments/policy.ts';
import { readCapped } from '../../src/attachments/read-capped.ts';
import type { AttachmentRef, AttachmentResolver, DownloadedFile } from '../../src/conversation/types.ts';

const isUrl = (s: string) => /^(https?|data):/i.test(s);

/** Describes what `/attach` named, without reading it yet; a missing file throws with a clear message. */
export async function describeAttachment(target: string): Promise<AttachmentRef> {
  if (isUrl(target)) {
    const name = basename(new URL(target).pathname) || target.slice(0, 40);
    return { ref: target, name, url: target, contentType: mediaTypeOf({ name, contentType: undefined }) };
  }
  const path = resolve(target);
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${target} is not a file`);
  const name = basename(path);
  return { ref: path, name, size: info.size, contentType: mediaTypeOf({ name, contentType: undefined }) };
}

export const localAttachments: AttachmentResolver = {
  async resolve(attachment, signal) {
    if (isUrl(attachment.ref)) return attachment.ref;
    const bytes = await readFile(attachment.ref, { signal });
    return `data:${attachment.contentType ?? 'application/octet-stream'};base64,${bytes.toString('base64')}`;
  },
  async download(attachment, { maxBytes, signal }): Promise<DownloadedFile> {
    if (isUrl(attachment.ref)) return readCapped(await fetch(attachment.ref, { signal }), maxBytes);
    const file = await open(attachment.ref);
    try {
      // One byte more than asked tells whether the file goes on.
      const buffer = Buffer.alloc(Math.min(maxBytes + 1, (await file.stat()).size));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      return { bytes: buffer.subarray(0, Math.min(bytesRead, maxBytes)), complete: bytesRead <= maxBytes };
    } finally {
      await file.close();
    }
  },
};
