/**
 * The naive baseline (naive-bot.ts) on Slack: N answers at once, each in a channel
 * of its own in one workspace of a fresh loopback Slack counting calls under the
 * same reading of Slack's tiers as the bot's run: chat.postMessage, then chat.update
 * once a second.
 */
import type { PacedUpstream } from '../test/fakes/paced-upstream.ts';
import { startFakeSlack } from '../test/fakes/slack/server.ts';
import { RetryingCaller, runNaive } from './naive-bot.ts';
import type { SlackProfile } from './slack-run.ts';
import type { RunSummary } from './streams.ts';

export async function runNaiveSlack(upstream: PacedUpstream, profile: Omit<SlackProfile, 'streaming'>): Promise<RunSummary> {
  const slack = await startFakeSlack();
  slack.slackRates(profile.reading);
  const caller = new RetryingCaller();
  const call = (method: string, body: Record<string, unknown>) =>
    caller.call(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    }) as Promise<{ ok: boolean; ts?: string }>;
  const channel = (i: number) => `C0NAIVE${i}`;
  try {
    return await runNaive(upstream, profile, `slack-${profile.reading}`, {
      post: async (i, text) => (await call('chat.postMessage', { channel: channel(i), text })).ts ?? '',
      edit: async (i, ts, text) => void (await call('chat.update', { channel: channel(i), ts, text })),
    }, caller);
  } finally {
    await slack.close();
  }
}
