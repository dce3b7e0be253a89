/**
 * Turns a Slack file reference into a `data:` URL the model provider can read
 * (images, videos), or into its first bytes (documents the bot reads itself).
 *
 * Slack file URLs (`url_private_download`) need `Authorization: Bearer <bot token>`,
 * so the token must only ever go to Slack's own file host: the resolver refuses any
 * other host, follows redirects by hand and only within the same hosts. Without
 * the `files:read` scope Slack answers 200 with its HTML sign-in page instead of
 * the file (platform-limits.md §2e), which we detect by content type. Sizes are
 * checked before and while reading, since Slack files may be huge. Downloads are
 * kept in a small cache bounded by bytes, because history re-sends media on later
 * turns.
 */
import { readCapped } from '../../src/attachments/read-capped.ts';
import type { AttachmentRef, AttachmentResolver, DownloadedFile } from '../../src/conversation/types.ts';
import { AttachmentError, type AttachmentReason } from '../../src/errors/attachment-error.ts';

/** Slack's file host for `url_private` and `url_private_download`. */
const SLACK_FILE_HOSTS = ['files.slack.com'];
const MAX_REDIRECTS = 3;

/** Why a file could not be fetched; the core tells the user `reason` after "I could not use X: …". */
export class SlackFileError extends AttachmentError {
  override name = 'SlackFileError';
  readonly kind: 'missing-scope' | 'foreign-host' | 'too-large' | 'unreachable';
  constructor(kind: SlackFileError['kind'], reason: AttachmentReason, opts: { cause?: unknown } = {}) {
    super(`slack file ${kind}: ${reason.kind}`, reason, opts);
    this.kind = kind;
  }
}

/** Looks a file's current download URL up again (files.info), for refs whose URL is missing. */
export type FileLookup = (fileId: string, signal: AbortSignal) => Promise<{ url: string | undefined; mimetype: string | undefined }>;

export interface SlackFileResolverOptions {
  readonly botToken: string;
  readonly maxBytes: number;
  readonly lookup: FileLookup;
  /** SLACK_API_URL, whose host also counts as Slack's (tests and proxies). */
  readonly apiUrl?: string | undefined;
  readonly fetch?: typeof fetch;
  /** Bytes of downloaded files to keep, most recently used first. */
  readonly cacheBytes?: number;
}

export class SlackFileResolver implements AttachmentResolver {
  readonly #opts: SlackFileResolverOptions;
  readonly #hosts: Set<string>;
  /** Insertion order is recency: a hit is moved to the end, eviction takes from the front. */
  readonly #cache = new Map<string, { url: string; bytes: number }>();
  #cachedBytes = 0;

  constructor(opts: SlackFileResolverOptions) {
    this.#opts = opts;
    this.#hosts = new Set(SLACK_FILE_HOSTS);
    if (opts.apiUrl) this.#hosts.add(new URL(opts.apiUrl).host);
  }

  async resolve(attachment: AttachmentRef, signal: AbortSignal): Promise<string> {
    const cached = this.#cache.get(attachment.ref);
    if (cached) {
      this.#cache.delete(attachment.ref);
      this.#cache.set(attachment.ref, cached);
      return cached.url;
    }
    if (attachment.size !== undefined && attachment.size > this.#opts.maxBytes) throw this.#tooLarge();
    const { url, mimetype } = await this.#locate(attachment, signal);
    const response = await this.#open(url, signal);
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > this.#opts.maxBytes) {
      await response.body?.cancel();
      throw this.#tooLarge();
    }
    const file = await readCapped(response, this.#opts.maxBytes);
    if (!file.complete) throw this.#tooLarge();
    const type = mimetype?.split(';')[0]?.trim() || contentType || 'application/octet-stream';
    const dataUrl = `data:${type};base64,${Buffer.from(file.bytes).toString('base64')}`;
    this.#remember(attachment.ref, dataUrl, file.bytes.byteLength);
    return dataUrl;
  }

  /** The file's first `maxBytes` bytes, from Slack's file host with the token, as `resolve` fetches them. */
  async download(attachment: AttachmentRef, opts: { maxBytes: number; signal: AbortSignal }): Promise<DownloadedFile> {
    const { url, mimetype } = await this.#locate(attachment, opts.signal);
    // An HTML file people shared is served as HTML too: only then is HTML not the sign-in page.
    const html = mimetype?.split(';')[0]?.trim().toLowerCase() === 'text/html';
    return readCapped(await this.#open(url, opts.signal, html), opts.maxBytes);
  }

  /** The file's download URL: the one on the reference, else looked up again (files.info). */
  async #locate(attachment: AttachmentRef, signal: AbortSignal): Promise<{ url: string; mimetype: string | undefined }> {
    if (attachment.url) return { url: attachment.url, mimetype: attachment.contentType };
    const found = await this.#opts.lookup(attachment.ref, signal);
    if (!found.url) throw new SlackFileError('unreachable', { kind: 'unreachable' });
    return { url: found.url, mimetype: attachment.contentType ?? found.mimetype };
  }

  /** True if the bot token may be sent to this URL: https on Slack's file host, or the configured API host. */
  isSlackHost(url: URL): boolean {
    if (!this.#hosts.has(url.host)) return false;
    return url.protocol === 'https:' || (this.#opts.apiUrl !== undefined && new URL(this.#opts.apiUrl).host === url.host);
  }

  /** The file's response, its body unread: redirects followed within Slack's hosts, the sign-in page refused. */
  async #open(first: string, signal: AbortSignal, htmlExpected = false): Promise<Response> {
    const fetchFn = this.#opts.fetch ?? fetch;
    let url = new URL(first);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      if (!this.isSlackHost(url)) {
        throw new SlackFileError('foreign-host', { kind: 'not-on-platform', platform: 'Slack' });
      }
      let response: Response;
      try {
        response = await fetchFn(url, {
          headers: { authorization: `Bearer ${this.#opts.botToken}` },
          redirect: 'manual',
          signal,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw new SlackFileError('unreachable', { kind: 'unreachable' }, { cause: err });
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url);
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new SlackFileError('unreachable', { kind: 'unreachable', status: response.status });
      }
      const contentType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (contentType === 'text/html' && !htmlExpected) {
        await response.body?.cancel();
        throw new SlackFileError('missing-scope', { kind: 'missing-scope', scope: 'files:read' });
      }
      return response;
    }
    throw new SlackFileError('unreachable', { kind: 'unreachable' });
  }

  #tooLarge(): SlackFileError {
    return new SlackFileError('too-large', { kind: 'too-large', limitMb: Math.round(this.#opts.maxBytes / (1024 * 1024)) });
  }

  #remember(ref: string, url: string, bytes: number): void {
    const limit = this.#opts.cacheBytes ?? 64 * 1024 * 1024;
    if (bytes > limit) return;
    this.#cache.set(ref, { url, bytes });
    this.#cachedBytes += bytes;
    for (const [key, entry] of this.#cache) {
      if (this.#cachedBytes <= limit) break;
      this.#cache.delete(key);
      this.#cachedBytes -= entry.bytes;
    }
  }
}
