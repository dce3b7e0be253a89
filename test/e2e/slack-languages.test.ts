/**
 * The bot speaks each Slack person's language, end to end through the real Bolt:
 * BOT_LOCALE=zh-TW for everyone; under `auto` (the default) the language Slack's
 * users.info gives each person (`include_locale`); a language the bot does not
 * speak (Bob's de-DE, the owner's ja-JP) in English.
 */
import { afterEach, expect, test } from 'vitest';
import { toMrkdwn } from '../../adapters/slack/mrkdwn.ts';
import { userTextIn } from '../../src/user-text.ts';
import type { FakeSlackMessage } from '../fakes/slack/server.ts';
import { CHANNEL, finalAnswer, isFinal, mentionEvent, OTHER_USER, startSlackBot, answerMessages, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import { fixture } from '../fakes/upstream.ts';

const MODEL = 'gemini-2.5-pro';
const en = userTextIn('en');
const zhTW = userTextIn('zh-TW');
const zhCN = userTextIn('zh-CN');
const MEI = { id: 'U0MEI', name: 'mei', locale: 'zh-TW' };
const WEI = { id: 'U0WEI', name: 'wei', locale: 'zh-CN' };

let t: SlackBotUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(env: Record<string, string> = {}): Promise<SlackBotUnderTest> {
  t = await startSlackBot({ LLM_MODELS: MODEL, LLM_MAX_RETRIES: '0', ...env });
  t.slack.addUser(MEI);
  t.slack.addUser(WEI);
  return t;
}

/** A 500 from the provider, with its trace id. */
function failUpstream(bot: SlackBotUnderTest): string {
  const error = JSON.parse(fixture('error.json')) as { trace_id: string };
  bot.upstream.script({ type: 'error', status: 500, body: error });
  return error.trace_id;
}

/** The plain-text labels of the buttons under a message. */
const buttonLabels = (message: FakeSlackMessage | undefined) =>
  (message?.blocks ?? []).flatMap((b) => ((b as { elements?: { type: string; text?: { text: string } }[] }).elements ?? []).filter((e) => e.type === 'button').map((e) => e.text?.text));

/** Someone mentions the bot; resolves with the answer's text and its last message. */
async function askAs(bot: SlackBotUnderTest, user: string, question: string) {
  const event = { ...mentionEvent(question), user };
  await bot.sender.event(event);
  const text = await finalAnswer(bot.slack, event.ts);
  return { text, last: answerMessages(bot.slack, event.ts).filter(isFinal).at(-1) };
}

test('BOT_LOCALE=zh-TW: an upstream 500 is told in Traditional Chinese with its trace id, the controls labelled in it too', async () => {
  const bot = await start({ BOT_LOCALE: 'zh-TW' });
  const traceId = failUpstream(bot);
  const { text, last } = await askAs(bot, 'U0ALICE', 'will this work?');
  expect(text).toBe(toMrkdwn(zhTW.upstreamError('unavailable', { model: MODEL, traceId })));
  expect(text).toContain(`（追蹤 ID：\`${traceId}\`）`);
  expect(buttonLabels(last)).toEqual(['新對話', '重新產生']);
});

test("auto: each person's answer and notes are in their users.info language; de-DE gets English", async () => {
  const bot = await start();
  let traceId = failUpstream(bot);
  const mei = await askAs(bot, MEI.id, '可以嗎？');
  expect(mei.text).toBe(toMrkdwn(zhTW.upstreamError('unavailable', { model: MODEL, traceId })));
  expect(buttonLabels(mei.last)).toEqual(['新對話', '重新產生']);

  traceId = failUpstream(bot);
  const bob = await askAs(bot, OTHER_USER, 'geht das?');
  expect(bob.text).toBe(toMrkdwn(en.upstreamError('unavailable', { model: MODEL, traceId })));
  expect(buttonLabels(bob.last)).toEqual(['New conversation', 'Regenerate']);
  // One users.info per person, with include_locale, shared with the name lookup.
  const lookups = bot.slack.calls.filter((c) => c.method === 'users.info');
  expect(lookups.every((c) => c.args.include_locale === true || c.args.include_locale === 'true')).toBe(true);
  expect(lookups.filter((c) => c.args.user === MEI.id)).toHaveLength(1);
});

test('auto: /model from a zh-CN user lists the models in Simplified Chinese; from the ja-JP owner in English', async () => {
  const bot = await start();
  const wei = await bot.sender.command('/model', '', { channel: CHANNEL, user: WEI.id, responseUrl: bot.slack.responseUrl('cmd') });
  const chinese = JSON.parse(wei.body) as { text: string };
  expect(chinese.text).toContain(toMrkdwn(zhCN.modelList([MODEL], MODEL)));
  expect(chinese.text).toContain(toMrkdwn(zhCN.channelModelNeedsAdmin));
  const owner = await bot.sender.command('/model', '', { channel: CHANNEL, user: 'U0OWNER', responseUrl: bot.slack.responseUrl('cmd') });
  const english = JSON.parse(owner.body) as { text: string; blocks: unknown[] };
  expect(english.text).toBe(toMrkdwn(en.modelList([MODEL], MODEL)));
  expect(JSON.stringify(english.blocks)).toContain(`"text":"${en.modelPickerPlaceholder}"`);
});
