/**
 * Discord attachments for the core: `AttachmentRef`s built from a message (or a
 * slash command option), and a resolver that hands the provider a CDN URL that
 * still works, or downloads a document's bytes from that URL. Discord CDN URLs are
 * signed and expire after about 24 h: `ex` is the expiry as hex unix seconds;
 * `POST /attachments/refresh-urls` signs them again (platform-limits.md §1e;
 * discord-api-docs reference.mdx "Signed Attachment CDN URLs").
 */
import { Routes, type Attachment, type Message, type REST } from 'discord.js';
import { readCapped } from '../../src/attachments/read-capped.ts';
import type { AttachmentRef, AttachmentResolver, DownloadedFile } from '../../src/conversation/types.ts';
import { AttachmentError } from '../../src/errors/attachment-error.ts';
import { PlatformError } from '../../src/errors/platform-error.ts';
import { toPlatformError } from './platform-error.ts';

/** Refresh a URL that expires within this margin: the provider fetches it some seconds later. */
const EXPIRY_MARGIN_MS = 10 * 60 * 1000;

/** Discord's attachment hosts: the bot downloads documents from these only, and only over https. */
const CDN_HOSTS = new Set(['cdn.discordapp.com', 'media.discordapp.net']);

export function attachmentRef(channelId: string, messageId: string, attachment: Attachment): AttachmentRef {
  return {
    ref: `${channelId}/${messageId}/${attachment.id}`,
    name: attachment.name,
    contentType: attachment.contentType ?? undefined,
    size: attachment.size,
    url: attachment.url,
  };
}

/** Every file a message shows: its own, and those of a message it forwards. */
export function attachmentsOf(message: Message): AttachmentRef[] {
  const own = [...message.attachments.values()].map((a) => attachmentRef(message.channelId, message.id, a));
  // A snapshot has no id of its own: its files belong to the forwarded message the reference names.
  const source = message.reference;
  const forwarded = [...message.messageSnapshots.values()].flatMap((snapshot) =>
    [...snapshot.attachments.values()].map((a) => attachmentRef(source?.channelId ?? message.channelId, source?.messageId ?? message.id, a)),
  );
  return [...own, ...forwarded];
}

/** When a signed CDN URL stops working (ms), or undefined for a URL without `ex`. */
export function expiresAt(url: string): number | undefined {
  let ex: string | null;
  try {
    ex = new URL(url).searchParams.get('ex');
  } catch {
    return undefined;
  }
  if (!ex || !/^[0-9a-f]+$/i.test(ex)) return undefined;
  return Number.parseInt(ex, 16) * 1000;
}

interface RefreshResponse {
  refreshed_urls: { original: string; refreshed: string }[];
}

export class DiscordAttachments implements AttachmentResolver {
  readonly #rest: REST;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;

  constructor(opts: { rest: REST; now?: () => number; fetch?: typeof fetch | undefined }) {
    this.#rest = opts.rest;
    this.#now = opts.now ?? Date.now;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** A document's first `maxBytes` bytes, from Discord's CDN (its URL refreshed first if it is about to expire). */
  async download(attachment: AttachmentRef, opts: { maxBytes: number; signal: AbortSignal }): Promise<DownloadedFile> {
    const url = new URL(await this.resolve(attachment, opts.signal));
    if (url.protocol !== 'https:' || !CDN_HOSTS.has(url.host)) {
      throw new AttachmentError(`not a discord CDN URL: ${url.host}`, { kind: 'not-on-platform', platform: 'Discord' });
    }
    let response: Response;
    try {
      // No credentials go with a CDN download, so following a redirect cannot leak any.
      response = await this.#fetch(url, { signal: opts.signal });
    } catch (err) {
      if (opts.signal.aborted) throw err;
      throw new AttachmentError('discord CDN unreachable', { kind: 'unreachable' }, { cause: err });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new AttachmentError(`discord CDN answered ${response.status}`, { kind: 'unreachable', status: response.status });
    }
    return readCapped(response, opts.maxBytes);
  }

  async resolve(attachment: AttachmentRef, signal: AbortSignal): Promise<string> {
    const url = attachment.url ?? (await this.#urlFromMessage(attachment.ref, signal));
    const expiry = expiresAt(url);
    if (expiry === undefined || expiry - this.#now() > EXPIRY_MARGIN_MS) return url;
    try {
      const response = (await this.#rest.post('/attachments/refresh-urls', {
        body: { attachment_urls: [url] },
        signal,
      })) as RefreshResponse;
      const refreshed = response.refreshed_urls.find((r) => r.original === url)?.refreshed ?? response.refreshed_urls[0]?.refreshed;
      if (!refreshed) throw new PlatformError('gone', 'discord did not refresh the attachment URL');
      return refreshed;
    } catch (err) {
      throw toPlatformError(err);
    }
  }

  /** An old reference without a URL: fetch its message again for a fresh one. */
  async #urlFromMessage(ref: string, signal: AbortSignal): Promise<string> {
    const [channelId, messageId, attachmentId] = ref.split('/');
    if (!channelId || !messageId || !attachmentId) throw new PlatformError('invalid', `not a discord attachment reference: ${ref}`);
    try {
      const message = (await this.#rest.get(Routes.channelMessage(channelId, messageId), { signal })) as {
        attachments: { id: string; url: string }[];
      };
      const found = message.attachments.find((a) => a.id === attachmentId);
      if (!found) throw new PlatformError('gone', 'the attachment is no longer on its message');
      return found.url;
    } catch (err) {
      throw toPlatformError(err);
    }
  }
}
