/**
 * Images and videos shared with a question reach the model as data: URLs, and
 * the bot token only ever goes to Slack's own file host.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { finalAnswer, mentionEvent, startSlackBot, type SlackBotUnderTest } from '../fakes/slack/harness.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const MP4 = Buffer.from('000000186674797069736f6d0000020069736f6d', 'hex');

let t: SlackBotUnderTest;
let elsewhere: Server;
let elsewhereRequests: IncomingMessage[];
let elsewhereUrl: string;
beforeEach(async () => {
  t = await startSlackBot();
  elsewhereRequests = [];
  elsewhere = createServer((req, res) => {
    elsewhereRequests.push(req);
    res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await t.close();
  elsewhere.closeAllConnections();
  await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
});

type Part = { type: string; text?: string; image_url?: { url: string } };
const lastUserContent = () => t.upstream.requests[0]?.body.messages.at(-1)?.content as Part[];

test('an image and a video in a mention reach the model as data: URLs, fetched with the bot token from Slack', async () => {
  const png = t.slack.addFile({ id: 'F0PNG', name: 'cat.png', mimetype: 'image/png', bytes: PNG });
  const mp4 = t.slack.addFile({ id: 'F0MP4', name: 'clip.mp4', mimetype: 'video/mp4', bytes: MP4 });
  const event = mentionEvent('what is in these?', { files: [png, mp4] });
  await t.sender.event(event);
  await finalAnswer(t.slack, event.ts);

  expect(lastUserContent()).toEqual([
    { type: 'text', text: 'what is in these?' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
    { type: 'image_url', image_url: { url: `data:video/mp4;base64,${MP4.toString('base64')}` } },
  ]);
  const downloads = t.slack.otherRequests.filter((r) => r.path.startsWith('/files-pri/'));
  expect(downloads).toHaveLength(2);
  for (const d of downloads) expect(d.headers.authorization).toBe('Bearer xoxb-test');
  expect(JSON.stringify(t.upstream.requests.map((r) => r.headers))).not.toContain('xoxb-test');
});

test('a file URL on another host is refused, the token never goes there, and the user is told', async () => {
  const event = mentionEvent('look at this', {
    files: [{ id: 'F0EVIL', name: 'evil.png', mimetype: 'image/png', size: PNG.length, url_private_download: `${elsewhereUrl}/evil.png` }],
  });
  await t.sender.event(event);
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain('evil.png');
  expect(text).toContain('not stored on Slack');
  expect(elsewhereRequests).toHaveLength(0);
  expect(lastUserContent()).toEqual('look at this');
});

test('without the files:read scope Slack sends its sign-in page, and the user is told the scope is missing', async () => {
  const png = t.slack.addFile({ id: 'F0LOCKED', name: 'locked.png', mimetype: 'image/png', bytes: PNG, mode: 'login-page' });
  const event = mentionEvent('what is this?', { files: [png] });
  await t.sender.event(event);
  const text = await finalAnswer(t.slack, event.ts);
  expect(text).toContain('locked.png');
  expect(text).toContain('files:read');
  expect(JSON.stringify(t.upstream.requests[0]?.body)).not.toContain('data:text/html');
});

test('a file shared without a download URL is looked up with files.info', async () => {
  t.slack.addFile({ id: 'F0BARE', name: 'bare.png', mimetype: 'image/png', bytes: PNG });
  const event = mentionEvent('and this?', { files: [{ id: 'F0BARE', name: 'bare.png', mimetype: 'image/png', size: PNG.length }] });
  await t.sender.event(event);
  await finalAnswer(t.slack, event.ts);
  expect(t.slack.calls.some((c) => c.method === 'files.info' && c.args.file === 'F0BARE')).toBe(true);
  expect(lastUserContent()).toContainEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } });
});
