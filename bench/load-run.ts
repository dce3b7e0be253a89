/**
 * Hundreds of answers streaming at once in one process: the core
 * (ConversationService from src/build-core.ts, as `npm start` builds it) with a
 * recording Surface per stream whose write budget is generous, so what is
 * measured is the bot's own cost: parsing, rendering, scheduling, storing. Each
 * surface has an `address`, as the platforms' do, so every answer in progress
 * is also recorded for crash recovery (`UnfinishedTurns`). The paced upstream
 * runs in its own process and is not counted.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as wait } from 'node:timers/promises';
import { pino } from 'pino';
import { buildCore } from '../src/build-core.ts';
import { loadConfig } from '../src/config.ts';
import type { ConversationService } from '../src/conversation/service.ts';
import type { TurnOutcome } from '../src/conversation/types.ts';
import { openStore } from '../src/store/open-store.ts';
import { RecordingSurface } from '../test/support/recording-surface.ts';
import { CHARS_PER_TOKEN, type PacedUpstream } from '../test/fakes/paced-upstream.ts';
import { round } from './stats.ts';
import { within } from './streams.ts';

export interface LoadProfile {
  readonly streams: number;
  readonly reasoningMs: number;
  readonly answerChars: number;
}

export interface LoadSummary {
  readonly streams: number;
  readonly answered: number;
  readonly eventLoopDelayP99Ms: number | undefined;
  readonly eventLoopDelayMaxMs: number | undefined;
  /** Resident memory just before the streams started (modules loaded, store open). */
  readonly baseRssMb: number;
  readonly peakRssMb: number;
  readonly cpuMsPer1000Tokens: number | undefined;
  readonly tokens: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

const attachments = { resolve: async () => 'data:,', download: async () => ({ bytes: new Uint8Array(0), complete: true }) };

/** A recording surface with an address, so the turn is tracked for crash recovery like a platform's. */
class AddressedSurface extends RecordingSurface {
  readonly address: string;
  constructor(scope: string) {
    super({ scope });
    this.address = `bench:${scope}`;
  }
}

async function openCore(apiBase: string) {
  const loaded = loadConfig({ LLM_API_BASE: apiBase, LLM_API_KEY: 'bench', LLM_MAX_RETRIES: '0', STORE_URL: 'sqlite://:memory:' });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const store = await openStore(loaded.config.storeUrl);
  const { service } = buildCore(loaded.config, store, pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }));
  return { service, store };
}

function ask(service: ConversationService, name: string, i: number): Promise<TurnOutcome> {
  return service.answer(
    {
      turnId: `${name}-${i}`,
      conversationId: `bench:${name}:${i}`,
      channelId: `bench:${name}`,
      author: { id: `u${i}`, name: `user ${i}` },
      text: `bench-${name}-${i}: explain streaming`,
      attachments: [],
    },
    // Each stream its own scope with room to spare: the platform budget is not the subject here.
    { surface: new AddressedSurface(`${name}:${i}`), attachments },
  );
}

/** A few short answers first, so the figures are a warm bot's (modules loaded, code compiled, connections open). */
async function warmUp(upstream: PacedUpstream): Promise<void> {
  const { service, store } = await openCore(upstream.base(200, 400));
  try {
    await Promise.all(Array.from({ length: 5 }, (_, i) => ask(service, 'warmup', i)));
  } finally {
    await store.close();
  }
}

export async function runLoad(upstream: PacedUpstream, profile: LoadProfile): Promise<LoadSummary> {
  await warmUp(upstream);
  const { service, store } = await openCore(upstream.base(profile.reasoningMs, profile.answerChars));

  globalThis.gc?.();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // The histogram drops its first interval (it has no earlier tick to measure from), so a stall
  // right after enable() went unseen: the 500 turns starting at once were missing from the max.
  await wait(50);
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const outcomes = await within(
      Promise.all(Array.from({ length: profile.streams }, (_, i) => ask(service, 'load', i))),
      120_000,
      `the ${profile.streams} concurrent streams`,
    );
    delay.disable();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const log = (await upstream.log()).filter((l) => l.question.includes('bench-load-'));
    const tokens = log.reduce((sum, l) => sum + Math.ceil((l.reasoningChars + l.answerChars) / CHARS_PER_TOKEN), 0);
    return {
      streams: profile.streams,
      answered: outcomes.filter((o) => o.type === 'answered').length,
      eventLoopDelayP99Ms: round(delay.percentile(99) / 1e6, 2),
      eventLoopDelayMaxMs: round(delay.max / 1e6, 2),
      baseRssMb: Math.round(baseRss / 1024 / 1024),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      cpuMsPer1000Tokens: tokens === 0 ? undefined : round((cpuMs * 1000) / tokens, 2),
      tokens,
      cpuMs: Math.round(cpuMs),
      wallMs: Math.round(wallMs),
    };
  } finally {
    delay.disable();
    clearInterval(sampler);
    await service.drain(0);
    await store.close();
  }
}
