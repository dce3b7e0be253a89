import { expect, test } from 'vitest';
import { SlackFileError, SlackFileResolver } from '../../../adapters/slack/file-resolver.ts';
import type { AttachmentRef } from '../../../src/conversation/types.ts';

const signal = new AbortController().signal;

function resolverWith(responses: (url: string, init?: RequestInit) => Response, opts: { maxBytes?: number; cacheBytes?: number } = {}) {
  const fetched: { url: string; authorization: string | undefined }[] = [];
  const resolver = new SlackFileResolver({
    botToken: 'xoxb-secret',
    maxBytes: opts.maxBytes ?? 1000,
    cacheBytes: opts.cacheBytes,
    lookup: async () => ({ url: undefined, mimetype: undefined }),
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      fetched.push({ url, authorization: new Headers(init?.headers).get('authorization') ?? undefined });
      return responses(url, init);
    }) as typeof fetch,
  });
  return { resolver, fetched };
}

const file = (url: string, extra: Partial<AttachmentRef> = {}): AttachmentRef => ({ ref: 'F1', name: 'a.png', contentType: 'image/png', size: undefined, url, ...extra });

/** A body sent in pieces with no length header, as a chunked download arrives. */
const chunked = (pieces: number, size: number) =>
  new Response(
    new ReadableStream({
      start(controller) {
        for (let i = 0; i < pieces; i += 1) controller.enqueue(new Uint8Array(size));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'image/png' } },
  );

test('a file from files.slack.com becomes a data: URL, fetched with the bot token', async () => {
  const { resolver, fetched } = resolverWith(() => new Response(new Uint8Array([1, 2, 3]), { headers: { 'content-type': 'image/png' } }));
  await expect(resolver.resolve(file('https://files.slack.com/files-pri/T-F1/a.png'), signal)).resolves.toBe('data:image/png;base64,AQID');
  expect(fetched).toEqual([{ url: 'https://files.slack.com/files-pri/T-F1/a.png', authorization: 'Bearer xoxb-secret' }]);
});

test('the token is never sent to another host, nor over plain http', async () => {
  const { resolver, fetched } = resolverWith(() => new Response('x'));
  await expect(resolver.resolve(file('https://evil.example/a.png'), signal)).rejects.toMatchObject({ kind: 'foreign-host' });
  await expect(resolver.resolve(file('http://files.slack.com/a.png'), signal)).rejects.toMatchObject({ kind: 'foreign-host' });
  expect(fetched).toHaveLength(0);
});

test('a redirect off Slack is not followed', async () => {
  const { resolver, fetched } = resolverWith(() => new Response(null, { status: 302, headers: { location: 'https://cdn.example/a.png' } }));
  await expect(resolver.resolve(file('https://files.slack.com/a.png'), signal)).rejects.toBeInstanceOf(SlackFileError);
  expect(fetched.map((f) => f.url)).toEqual(['https://files.slack.com/a.png']);
});

test('a download larger than the limit is abandoned while it streams', async () => {
  const { resolver } = resolverWith(() => chunked(5, 300), { maxBytes: 1000 });
  await expect(resolver.resolve(file('https://files.slack.com/a.png'), signal)).rejects.toMatchObject({ kind: 'too-large' });
});

test("Slack's sign-in page in place of the file names the missing files:read scope", async () => {
  const { resolver } = resolverWith(() => new Response('<html>Sign in</html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }));
  const error = await resolver.resolve(file('https://files.slack.com/a.png'), signal).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SlackFileError);
  expect((error as SlackFileError).reason).toEqual({ kind: 'missing-scope', scope: 'files:read' });
});

test('a file resolved once is served from the cache; the cache forgets the oldest past its byte budget', async () => {
  const { resolver, fetched } = resolverWith(() => new Response(new Uint8Array(400), { headers: { 'content-type': 'image/png' } }), { cacheBytes: 1000 });
  await resolver.resolve(file('https://files.slack.com/1.png', { ref: 'F1' }), signal);
  await resolver.resolve(file('https://files.slack.com/1.png', { ref: 'F1' }), signal);
  expect(fetched).toHaveLength(1);
  await resolver.resolve(file('https://files.slack.com/2.png', { ref: 'F2' }), signal);
  await resolver.resolve(file('https://files.slack.com/3.png', { ref: 'F3' }), signal);
  await resolver.resolve(file('https://files.slack.com/1.png', { ref: 'F1' }), signal);
  expect(fetched.map((f) => f.url)).toEqual([
    'https://files.slack.com/1.png',
    'https://files.slack.com/2.png',
    'https://files.slack.com/3.png',
    'https://files.slack.com/1.png',
  ]);
});
