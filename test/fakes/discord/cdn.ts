/**
 * The fake's copy of Discord's attachment CDN: serves each attachment's bytes at
 * its signed URL's path, refuses a URL past its `ex` expiry (as the real CDN does
 * since signed URLs, discord-api-docs reference.mdx "Signed Attachment CDN URLs"),
 * and records every download so tests can assert what was, and was not, fetched.
 */
import type { ServerResponse } from 'node:http';

/** The hosts discord.js and the API hand out attachment URLs on. */
const CDN_HOSTS = new Set(['cdn.discordapp.com', 'media.discordapp.net']);

export interface CdnDownload {
  /** `/attachments/{channel}/{attachment}/{filename}`. */
  readonly path: string;
  readonly status: number;
}

export class FakeCdn {
  readonly downloads: CdnDownload[] = [];
  readonly #files = new Map<string, Uint8Array>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Keeps an attachment's bytes under its id. */
  store(attachmentId: string, bytes: Uint8Array): void {
    this.#files.set(attachmentId, bytes);
  }

  /** Answers `/cdn/attachments/{channel}/{attachment}/{filename}?ex=…` on the fake's server. */
  serve(url: URL, res: ServerResponse): void {
    const path = url.pathname.replace(/^\/cdn/, '');
    const match = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(path);
    const bytes = match ? this.#files.get(match[1] ?? '') : undefined;
    const ex = Number.parseInt(url.searchParams.get('ex') ?? '', 16);
    const expired = !Number.isFinite(ex) || ex * 1000 <= this.#now();
    const status = !bytes ? 404 : expired ? 404 : 200;
    this.downloads.push({ path: decodeURIComponent(path), status });
    if (status !== 200 || !bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('This content is no longer available.');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) }).end(Buffer.from(bytes));
  }

  /**
   * A `fetch` for the bot under test: requests to Discord's CDN hosts go to this fake at
   * `base` (its `/cdn` path); anything else is refused, since tests talk only to loopback.
   */
  fetchVia(base: string): typeof fetch {
    return (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!CDN_HOSTS.has(url.host)) return Promise.reject(new TypeError(`the test fetch reaches only Discord's CDN, not ${url.host}`));
      return fetch(`${base}${url.pathname}${url.search}`, init);
    };
  }
}
