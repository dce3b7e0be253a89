import { describe, expect, test } from 'vitest';
import type { TurnFacts } from '../../src/conversation/service.ts';
import { BotMetrics } from '../../src/observability/metrics.ts';

const answered: TurnFacts = {
  outcome: { type: 'answered', finishReason: 'stop' },
  platform: 'discord',
  errorCode: undefined,
  model: 'gemini-2.5-pro',
  usage: { promptTokens: 120, completionTokens: 932, reasoningTokens: 921, totalTokens: 1052 },
  firstTokenMs: 2500,
};

/** One series' value from the registry, by metric name and exact labels. */
async function valueOf(metrics: BotMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want) && Object.keys(v.labels).length >= Object.keys(labels).length);
  return match?.value;
}

describe('BotMetrics', () => {
  test('two bots in one process count their turns separately', async () => {
    const a = new BotMetrics({ processMetrics: false });
    const b = new BotMetrics({ processMetrics: false });
    a.turnEnded({ ...answered, platform: 'discord' });
    a.turnEnded({ ...answered, platform: 'discord' });
    b.turnEnded({ ...answered, platform: 'discord' });
    expect(await valueOf(a, 'bot_turns_total', { platform: 'discord', outcome: 'answered' })).toBe(2);
    expect(await valueOf(b, 'bot_turns_total', { platform: 'discord', outcome: 'answered' })).toBe(1);
  });

  test('turns are told apart by platform, outcome and failure kind', async () => {
    const m = new BotMetrics({ processMetrics: false });
    m.turnEnded({ ...answered, platform: 'slack', outcome: { type: 'failed', kind: 'unavailable' }, usage: undefined, firstTokenMs: undefined });
    m.turnEnded({ ...answered, platform: 'slack', outcome: { type: 'busy' }, usage: undefined, firstTokenMs: undefined });
    m.turnEnded({ ...answered, platform: 'discord', outcome: { type: 'stopped' } });
    m.turnEnded({ ...answered, platform: 'discord', outcome: { type: 'answered', finishReason: 'length' } });
    expect(await valueOf(m, 'bot_turns_total', { platform: 'slack', outcome: 'failed', kind: 'unavailable' })).toBe(1);
    expect(await valueOf(m, 'bot_turns_total', { platform: 'slack', outcome: 'busy' })).toBe(1);
    expect(await valueOf(m, 'bot_turns_total', { platform: 'discord', outcome: 'stopped' })).toBe(1);
    expect(await valueOf(m, 'bot_turns_total', { platform: 'discord', outcome: 'answered', kind: 'length' })).toBe(1);
    expect(await valueOf(m, 'bot_upstream_errors_total', { kind: 'unavailable' })).toBe(1);
  });

  test('votes are counted by model and rating; a changed vote counts the new one and withdraws the old', async () => {
    const m = new BotMetrics({ processMetrics: false });
    m.feedback({ model: 'gemini-2.5-pro', rating: 'up', previous: undefined });
    m.feedback({ model: 'gemini-2.5-pro', rating: 'up', previous: undefined });
    m.feedback({ model: 'gemini-2.5-pro', rating: 'down', previous: 'up' });
    expect(await valueOf(m, 'bot_feedback_total', { model: 'gemini-2.5-pro', rating: 'up' })).toBe(2);
    expect(await valueOf(m, 'bot_feedback_total', { model: 'gemini-2.5-pro', rating: 'down' })).toBe(1);
    expect(await valueOf(m, 'bot_feedback_retracted_total', { model: 'gemini-2.5-pro', rating: 'up' })).toBe(1);
  });

  test('a failure of the bot itself is a failed turn but not an upstream error', async () => {
    const m = new BotMetrics({ processMetrics: false });
    m.turnEnded({ ...answered, platform: 'discord', outcome: { type: 'failed', kind: 'store' }, usage: undefined });
    expect(await valueOf(m, 'bot_turns_total', { outcome: 'failed', kind: 'store' })).toBe(1);
    expect(await valueOf(m, 'bot_upstream_errors_total', { kind: 'store' })).toBeUndefined();
  });

  test('tokens are counted per model and type, and the first token time is observed', async () => {
    const m = new BotMetrics({ processMetrics: false });
    m.turnEnded({ ...answered, platform: 'discord' });
    m.turnEnded({ ...answered, platform: 'slack' });
    expect(await valueOf(m, 'bot_tokens_total', { model: 'gemini-2.5-pro', kind: 'prompt' })).toBe(240);
    expect(await valueOf(m, 'bot_tokens_total', { model: 'gemini-2.5-pro', kind: 'completion' })).toBe(1864);
    expect(await valueOf(m, 'bot_tokens_total', { model: 'gemini-2.5-pro', kind: 'reasoning' })).toBe(1842);
    const text = await m.registry.metrics();
    expect(text).toContain('bot_upstream_first_token_seconds_count{platform="discord",model="gemini-2.5-pro"} 1');
    expect(text).toContain('bot_upstream_first_token_seconds_bucket{le="4",platform="discord",model="gemini-2.5-pro"} 1');
    expect(text).toContain('bot_upstream_first_token_seconds_bucket{le="2",platform="discord",model="gemini-2.5-pro"} 0');
  });

  test('platform writes and 429s are labelled by scope prefix, never by channel', async () => {
    const m = new BotMetrics({ processMetrics: false });
    m.platformWrite('discord:edit:111');
    m.platformWrite('discord:edit:222');
    m.platformWrite('discord:edit:interaction:999');
    m.rateLimited('slack:update:T123');
    expect(await valueOf(m, 'bot_platform_writes_total', { scope: 'discord:edit' })).toBe(3);
    expect(await valueOf(m, 'bot_platform_rate_limited_total', { scope: 'slack:update' })).toBe(1);
    const text = await m.registry.metrics();
    expect(text).not.toContain('111');
    expect(text).not.toContain('T123');
  });

  test('free-form label values from outside cannot grow the registry', async () => {
    const m = new BotMetrics({ processMetrics: false });
    m.upstreamRetry('unavailable', 'a very long provider message with spaces and {braces}');
    m.upstreamRetry('rate-limited', undefined);
    m.turnEnded({ ...answered, platform: 'discord', outcome: { type: 'answered', finishReason: 'some new reason' } });
    expect(await valueOf(m, 'bot_upstream_retries_total', { kind: 'unavailable', code: 'other' })).toBe(1);
    expect(await valueOf(m, 'bot_upstream_retries_total', { kind: 'rate-limited', code: 'none' })).toBe(1);
    expect(await valueOf(m, 'bot_turns_total', { outcome: 'answered', kind: 'other' })).toBe(1);
  });

  test('queue waits, store latency and active turns are exported', async () => {
    const m = new BotMetrics({ processMetrics: false });
    let active = 3;
    m.watchActiveTurns(() => active);
    m.turnQueueWaited(1500);
    m.storeOperation('history.get', 2, 'ok');
    expect(await m.registry.metrics()).toContain('bot_active_turns 3');
    active = 0;
    const text = await m.registry.metrics();
    expect(text).toContain('bot_active_turns 0');
    expect(text).toContain('bot_turn_queue_wait_seconds_bucket{le="5"} 1');
    expect(text).toContain('bot_turn_queue_wait_seconds_bucket{le="1"} 0');
    expect(text).toContain('bot_store_operation_seconds_count{operation="history.get",result="ok"} 1');
  });

  test('Node process metrics are on the same registry', async () => {
    const m = new BotMetrics();
    const text = await m.registry.metrics();
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
