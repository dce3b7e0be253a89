/**
 * Documents end to end through the real discord.js: a `.py` and a 3-page PDF
 * downloaded from the (fake) CDN and sent as text, pages in order; a scanned
 * PDF's notice; the 40 MB total of one message's files, decided on Discord's
 * reported sizes so nothing past it is downloaded.
 */
import { afterEach, expect, test } from 'vitest';
import { userTextIn } from '../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../fakes/discord/bot.ts';
import type { AttachmentSpec } from '../fakes/discord/index.ts';
import { finalAnswer, imageUrlsOf, textOf } from '../fakes/discord/read.ts';
import { fixtureAnswer } from '../fakes/upstream.ts';
import { buildPdf } from '../support/pdf-builder.ts';

const userText = userTextIn('en');

const MB = 1024 * 1024;

let harness: DiscordBotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function ask(question: string, attachments: AttachmentSpec[]) {
  harness = await startDiscordBot();
  const { discord, upstream } = harness;
  const message = discord.sendMessage({ content: `<@${discord.world.bot.id}> ${question}`, attachments });
  const [answer] = await finalAnswer(discord, message.id);
  return { discord, upstream, message, answer, content: upstream.requests[0]?.body.messages.at(-1)?.content };
}

test('a .py file and a 3-page PDF reach the model as text with their names, the pages marked and in order', async () => {
  const script = 'import sys\nprint(sum(int(a) for a in sys.argv[1:]))\n';
  const pdf = buildPdf([{ text: 'Q3 report' }, { text: 'Revenue grew 12%' }, { text: 'Outlook: stable' }]);
  const { content, answer } = await ask('do these agree?', [
    { filename: 'sum.py', contentType: 'text/x-python; charset=utf-8', bytes: new TextEncoder().encode(script) },
    { filename: 'q3.pdf', contentType: 'application/pdf', bytes: pdf },
  ]);
  expect(content).toEqual([
    { type: 'text', text: 'do these agree?' },
    { type: 'text', text: `<document name="sum.py">\n${script}\n</document>` },
    {
      type: 'text',
      text: '<document name="q3.pdf">\n--- page 1 ---\nQ3 report\n\n--- page 2 ---\nRevenue grew 12%\n\n--- page 3 ---\nOutlook: stable\n</document>',
    },
  ]);
  expect(answer?.content).toBe(fixtureAnswer());
});

test('a scanned PDF (an image, no text layer) gets a notice naming it, and the question is still answered', async () => {
  const { content, answer } = await ask('what does the scan say?', [{ filename: 'scan.pdf', contentType: 'application/pdf', bytes: buildPdf([{ image: true }]) }]);
  expect(answer?.content).toBe(`${userText.attachmentSkipped('scan.pdf', userText.pdfNoText)}\n\n${fixtureAnswer()}`);
  expect(textOf(content)).toBe('what does the scan say?');
});

test('binary files the bot cannot read get a notice each, not silence', async () => {
  const { answer } = await ask('and these?', [
    { filename: 'firmware.bin', contentType: 'application/octet-stream', bytes: new Uint8Array([0, 1, 2, 3]) },
    // A text name on binary bytes: downloaded, found not to be text.
    { filename: 'dump.txt', contentType: 'text/plain', bytes: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]) },
  ]);
  expect(answer?.content).toBe(
    [
      userText.attachmentSkipped('firmware.bin', userText.attachmentUnsupported('application/octet-stream')),
      userText.attachmentSkipped('dump.txt', userText.documentNotText),
      fixtureAnswer(),
    ].join('\n\n'),
  );
});

test('past 40 MB of files on one message the rest are named in one notice and never downloaded', async () => {
  const notes = new TextEncoder().encode('remember the milk');
  const { discord, message, content, answer } = await ask('compare', [
    { filename: 'before.png', contentType: 'image/png', size: 18 * MB },
    { filename: 'after.png', contentType: 'image/png', size: 18 * MB },
    // Discord reports 10 MB: over the 4 MB left, so it is not fetched at all (its bytes here are a stand-in).
    { filename: 'manual.pdf', contentType: 'application/pdf', size: 10 * MB, bytes: buildPdf([{ text: 'never read' }]) },
    { filename: 'notes.txt', contentType: 'text/plain', bytes: notes },
  ]);
  expect(answer?.content).toBe(`${userText.attachmentsOverTotal(['manual.pdf'], 40)}\n\n${fixtureAnswer()}`);
  expect(imageUrlsOf(content)).toEqual(message.attachments.slice(0, 2).map((a) => a.url));
  expect(textOf(content)).toBe('compare\n<document name="notes.txt">\nremember the milk\n</document>');
  expect(discord.cdnDownloads.map((d) => d.path.split('/').at(-1))).toEqual(['notes.txt']);
});

test('a document whose CDN link expired is fetched through a refreshed link', async () => {
  const { discord, content } = await ask('read this', [
    { filename: 'old.md', contentType: 'text/markdown', bytes: new TextEncoder().encode('# Notes'), expiresAtMs: Date.now() - 60_000 },
  ]);
  expect(textOf(content)).toBe('read this\n<document name="old.md">\n# Notes\n</document>');
  expect(discord.requests.filter((r) => r.path === '/attachments/refresh-urls')).toHaveLength(1);
  expect(discord.cdnDownloads.map((d) => d.status)).toEqual([200]);
});

test('a follow-up sends the document again, from memory: it is downloaded once', async () => {
  const { discord, upstream, message } = await ask('remember this file', [
    { filename: 'todo.txt', contentType: 'text/plain', bytes: new TextEncoder().encode('1. ship it') },
  ]);
  upstream.script({ type: 'answer', text: 'Ship it.' });
  discord.sendMessage({ content: 'what was first on the list?', channelId: message.id });
  await finalAnswer(discord, message.id, 2);
  const first = upstream.requests[1]?.body.messages.find((m) => m.role === 'user');
  expect(textOf(first?.content)).toBe('remember this file\n<document name="todo.txt">\n1. ship it\n</document>');
  expect(discord.cdnDownloads).toHaveLength(1);
});
