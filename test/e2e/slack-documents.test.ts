/**
 * Documents shared with a Slack question, end to end through the real Bolt: a
 * source file and a PDF are downloaded from Slack's file host with the bot token
 * and reach the model as text.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { finalAnswer, mentionEvent, startSlackBot, type SlackBotUnderTest } from '../fakes/slack/harness.ts';
import { buildPdf } from '../support/pdf-builder.ts';

let t: SlackBotUnderTest;
beforeEach(async () => {
  t = await startSlackBot();
});
afterEach(async () => {
  await t.close();
});

test('a .py and a 2-page PDF in a mention reach the model as text, fetched with the bot token from Slack', async () => {
  const script = 'print("hello")\n';
  const py = t.slack.addFile({ id: 'F0PY', name: 'hello.py', mimetype: 'text/x-python', bytes: Buffer.from(script) });
  const pdf = t.slack.addFile({ id: 'F0PDF', name: 'spec.pdf', mimetype: 'application/pdf', bytes: buildPdf([{ text: 'Scope' }, { text: 'Timeline' }]) });
  const event = mentionEvent('check these', { files: [py, pdf] });
  await t.sender.event(event);
  await finalAnswer(t.slack, event.ts);
  expect(t.upstream.requests[0]?.body.messages.at(-1)?.content).toEqual([
    { type: 'text', text: 'check these' },
    { type: 'text', text: `<document name="hello.py">\n${script}\n</document>` },
    { type: 'text', text: '<document name="spec.pdf">\n--- page 1 ---\nScope\n\n--- page 2 ---\nTimeline\n</document>' },
  ]);
  const downloads = t.slack.otherRequests.filter((r) => r.path.startsWith('/files-pri/'));
  expect(downloads.map((d) => d.headers.authorization)).toEqual(['Bearer xoxb-test', 'Bearer xoxb-test']);
});
