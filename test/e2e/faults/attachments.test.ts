/**
 * Attachments at the edges: a video over ATTACHMENT_MAX_MB is named in the
 * reply and never downloaded while the text is still answered; ten images and
 * videos on one message all reach the model, in order.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../../adapters/slack/mrkdwn.ts';
import { HistoryStore } from '../../../src/history/store.ts';
import type { RunningBot } from '../../../src/main.ts';
import { userTextIn } from '../../../src/user-text.ts';
import { startDiscordBot, type DiscordBotHarness } from '../../fakes/discord/bot.ts';
import { finalAnswer, imageUrlsOf } from '../../fakes/discord/read.ts';
import { finalAnswer as slackFinalAnswer, mentionEvent, startSlackBot, type SlackBotUnderTest } from '../../fakes/slack/harness.ts';
import { fixtureAnswer } from '../../fakes/upstream.ts';

const userText = userTextIn('en');

const MB = 1024 * 1024;
const tooLarge = (name: string) => userText.attachmentSkipped(name, userText.attachmentTooLarge(20));

let discordBot: DiscordBotHarness | undefined;
let slackBot: SlackBotUnderTest | undefined;
afterEach(async () => {
  await discordBot?.stop();
  await slackBot?.close();
  discordBot = undefined;
  slackBot = undefined;
});

async function storedUserMessage(bot: RunningBot, conversationId: string) {
  await bot.core.drain(60_000);
  const { messages } = await new HistoryStore(bot.store.keyv('history')).load(conversationId);
  return messages[0];
}

/** Ten small files, images and videos mixed: `[name, mimetype, bytes]`. */
const TEN = Array.from({ length: 10 }, (_, i) => {
  const video = i % 3 === 2;
  return { name: video ? `clip-${i}.mp4` : `photo-${i}.png`, mimetype: video ? 'video/mp4' : 'image/png', bytes: Buffer.from(`file number ${i}`) };
});

test('Slack: a 25 MB video is named in the reply and never downloaded; the text is still answered', async () => {
  const t = (slackBot = await startSlackBot());
  const big = t.slack.addFile({ id: 'F0BIG', name: 'holiday.mp4', mimetype: 'video/mp4', bytes: Buffer.alloc(25 * MB) });
  const event = mentionEvent('what happens in this video?', { files: [big] });
  await t.sender.event(event);
  const text = await slackFinalAnswer(t.slack, event.ts);
  expect(text).toBe(toMrkdwn(`${tooLarge('holiday.mp4')}\n\n${fixtureAnswer()}`));
  expect(t.slack.otherRequests.filter((r) => r.path.startsWith('/files-pri/'))).toEqual([]);
  expect(t.upstream.requests[0]?.body.messages.at(-1)?.content).toBe('what happens in this video?');
  expect(await storedUserMessage(t.bot, `slack:${t.slack.teamId}:${event.channel}:${event.ts}`)).toMatchObject({ text: 'what happens in this video?', attachments: [] });
});

test('Discord: a 25 MB video is named in the reply and its CDN URL goes nowhere; the text is still answered', async () => {
  const h = (discordBot = await startDiscordBot());
  const question = h.discord.sendMessage({
    content: `<@${h.discord.world.bot.id}> what happens in this video?`,
    attachments: [{ filename: 'holiday.mp4', contentType: 'video/mp4', size: 25 * MB }],
  });
  const [shown, ...more] = await finalAnswer(h.discord, question.id);
  expect(more).toEqual([]);
  expect(shown?.content).toBe(`${tooLarge('holiday.mp4')}\n\n${fixtureAnswer()}`);
  const url = question.attachments[0]!.url;
  expect(JSON.stringify(h.upstream.requests.map((r) => r.body))).not.toContain(url);
  expect(h.discord.requests.filter((r) => r.path.startsWith('/attachments/'))).toEqual([]);
  expect(await storedUserMessage(h.bot, `discord:${h.discord.world.guildId}:${question.id}`)).toMatchObject({ attachments: [] });
});

test('Slack: ten images and videos on one message all reach the model as image_url parts, in order', async () => {
  const t = (slackBot = await startSlackBot());
  const files = TEN.map((f, i) => t.slack.addFile({ id: `F0TEN${i}`, name: f.name, mimetype: f.mimetype, bytes: f.bytes }));
  const event = mentionEvent('compare all of these', { files });
  await t.sender.event(event);
  expect(await slackFinalAnswer(t.slack, event.ts)).toBe(toMrkdwn(fixtureAnswer()));
  expect(t.upstream.requests[0]?.body.messages.at(-1)?.content).toEqual([
    { type: 'text', text: 'compare all of these' },
    ...TEN.map((f) => ({ type: 'image_url', image_url: { url: `data:${f.mimetype};base64,${f.bytes.toString('base64')}` } })),
  ]);
  const stored = await storedUserMessage(t.bot, `slack:${t.slack.teamId}:${event.channel}:${event.ts}`);
  expect(stored?.role === 'user' && stored.attachments.map((a) => a.name)).toEqual(TEN.map((f) => f.name));
});

test('Discord: ten images and videos on one message all reach the model as image_url parts, in order', async () => {
  const h = (discordBot = await startDiscordBot());
  const question = h.discord.sendMessage({
    content: `<@${h.discord.world.bot.id}> compare all of these`,
    attachments: TEN.map((f) => ({ filename: f.name, contentType: f.mimetype, size: 100_000 })),
  });
  await finalAnswer(h.discord, question.id);
  const content = h.upstream.requests[0]?.body.messages.at(-1)?.content;
  expect(imageUrlsOf(content)).toEqual(question.attachments.map((a) => a.url));
  expect(question.attachments.map((a) => a.filename)).toEqual(TEN.map((f) => f.name));
  expect(Array.isArray(content) && content[0]).toEqual({ type: 'text', text: 'compare all of these' });
});
