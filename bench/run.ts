/**
 * `npm run bench`: a benchmark, not a test. Starts the loopback fakes and the
 * bot as in production, measures what users and operators would notice, writes
 * bench/results.json and prints a table. bench/README.md says what each figure
 * means. Knobs: BENCH_STREAMS (concurrent answers per platform, default 5),
 * BENCH_LOAD_STREAMS (default 200), BENCH_LOG_LEVEL (the bot's logs, default silent).
 */
import { execFileSync } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runDiscord, type DiscordProfile } from './discord-run.ts';
import { runRenderer, type RendererSummary } from './renderer-run.ts';
import { runLoad, type LoadProfile, type LoadSummary } from './load-run.ts';
import { runNaiveDiscord } from './naive-discord.ts';
import { spawnPacedUpstream, TOKENS_PER_SECOND } from '../test/fakes/paced-upstream.ts';
import { runSlack, SLACK_UPDATE_BUDGET, type SlackProfile } from './slack-run.ts';
import { fmt, ms, round, table } from './stats.ts';
import { runRedisStore, runSqliteStore, type StoreResult } from './store-run.ts';
import type { RunSummary } from './streams.ts';

const streams = Number(process.env.BENCH_STREAMS ?? 5);
const discordProfile: DiscordProfile = { streams, reasoningMs: 5000, answerChars: 1600 };
const slackProfile: SlackProfile = { streams, reasoningMs: 5000, answerChars: 3000 };
/** Many answers in one Discord channel: short ones, since 50 first posts alone take 50 s at 5 per 5 s. */
const crowdProfile: DiscordProfile = { streams: Number(process.env.BENCH_CROWD_STREAMS ?? 50), reasoningMs: 2000, answerChars: 400 };
const loadProfile: LoadProfile = { streams: Number(process.env.BENCH_LOAD_STREAMS ?? 200), reasoningMs: 3000, answerChars: 3000 };

const machine = {
  nproc: nproc(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: round(totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  /** Other work on the machine skews every figure; this says how busy it was when the run began. */
  loadAverage1m: round(loadavg()[0], 2),
};

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return availableParallelism();
  }
}

/** Runs one part; a failure is recorded and reported, and the rest still runs. */
async function part<T>(name: string, run: () => Promise<T>): Promise<T | { error: string }> {
  const started = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const result = await run();
    process.stderr.write(`bench: ${name} done in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${name} FAILED: ${message}\n`);
    process.exitCode = 1;
    return { error: message };
  }
}

const failed = (r: unknown): r is { error: string } => typeof r === 'object' && r !== null && 'error' in r;

function streamRow(name: string, r: RunSummary | { error: string }): string[] {
  if (failed(r)) return [name, `failed: ${r.error}`, '', '', '', '', '', ''];
  return [
    name,
    `${r.completed}/${r.streams}`,
    ms(r.mentionToFirstMessageMs),
    ms(r.mentionToFirstTextMs),
    ms(r.upstreamDoneToFinalMs),
    `${fmt(r.editsPerStream.mean, 1)} / ${fmt(r.editsPerStream.max)}`,
    String(r.rateLimited),
    `${fmt(r.finalTextCorrectPct)}%`,
  ];
}

function comparison(ours: RunSummary | { error: string }, naive: RunSummary | { error: string }) {
  if (failed(ours) || failed(naive)) return undefined;
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : round(a / b, 1));
  return {
    rateLimited: { naive: naive.rateLimited, ours: ours.rateLimited },
    upstreamDoneToFinalP50Ratio: ratio(naive.upstreamDoneToFinalMs.p50, ours.upstreamDoneToFinalMs.p50),
    upstreamDoneToFinalP95Ratio: ratio(naive.upstreamDoneToFinalMs.p95, ours.upstreamDoneToFinalMs.p95),
    mentionToFirstTextP50Ratio: ratio(naive.mentionToFirstTextMs.p50, ours.mentionToFirstTextMs.p50),
  };
}

function loadRows(r: LoadSummary | { error: string }): string[][] {
  if (failed(r)) return [['failed', r.error]];
  return [
    ['streams answered', `${r.answered}/${r.streams}`],
    ['event-loop delay p99 (max)', `${fmt(r.eventLoopDelayP99Ms, 1)} ms (${fmt(r.eventLoopDelayMaxMs, 1)} ms)`],
    ['RSS before → peak', `${r.baseRssMb} → ${r.peakRssMb} MB`],
    ['CPU per 1,000 tokens', `${fmt(r.cpuMsPer1000Tokens, 1)} ms (${fmt(r.cpuMs)} ms for ${fmt(r.tokens)} tokens)`],
    ['wall time', `${fmt(r.wallMs / 1000, 1)} s`],
  ];
}

function rendererRows(r: RendererSummary | { error: string }): string[][] {
  if (failed(r)) return [['failed', r.error]];
  return [
    ['per upstream delta (push)', `${fmt(r.usPerDelta, 2)} µs (${fmt(r.deltas)} deltas, ${fmt(r.writes)} writes)`],
    ...r.framesByLength.map((f) => [`per frame, ${fmt(f.chars)}-char answer`, `${fmt(f.usPerFrame, 2)} µs`]),
  ];
}

function storeRow(r: StoreResult | { error: string }, name: string): string[] {
  if (failed(r)) return [name, `failed: ${r.error}`, '', ''];
  if ('skipped' in r) return [name, `skipped: ${r.skipped}`, '', ''];
  return [name, ms(r.appendMs), ms(r.load50TurnsMs), `${r.recordKb} KB`];
}

async function main(): Promise<void> {
  const started = performance.now();
  const upstream = await spawnPacedUpstream();
  let results;
  try {
    // The load run goes first, so its memory figures are not inflated by the platform runs.
    const load = await part(`${loadProfile.streams} concurrent streams in one process`, () => runLoad(upstream, loadProfile));
    const renderer = await part('renderer CPU per delta and per frame', runRenderer);
    const sqlite = await part('history store on SQLite', runSqliteStore);
    const redis = await part('history store on Redis', runRedisStore);
    // One answer alone in its channel: the scope has budget to spare, so this shows the renderer's own latency.
    const discordSolo = await part('Discord, 1 stream', () => runDiscord(upstream, { ...discordProfile, streams: 1 }));
    const discord = await part(`Discord, ${streams} streams in one channel`, () => runDiscord(upstream, discordProfile));
    const naive = await part(`Discord naive baseline, ${streams} streams`, () => runNaiveDiscord(upstream, discordProfile));
    const crowd = await part(`Discord, ${crowdProfile.streams} streams in one channel`, () => runDiscord(upstream, crowdProfile));
    const slack = await part(`Slack, ${streams} streams in one workspace`, () => runSlack(upstream, slackProfile));
    results = {
      generatedAt: new Date().toISOString(),
      machine,
      upstream: { tokensPerSecond: TOKENS_PER_SECOND, charsPerToken: 4 },
      profiles: { discord: discordProfile, discordCrowd: crowdProfile, slack: slackProfile, load: loadProfile },
      limits: {
        discord: 'PATCH and POST /channels/{id}/messages: 5 per 5 s per channel each (fixed window, real headers and 429s)',
        slack: `chat.update ${SLACK_UPDATE_BUDGET.limit} per ${SLACK_UPDATE_BUDGET.windowMs / 1000} s per workspace; chat.postMessage 1 per s; real budgets, no time scaling`,
      },
      discordSolo,
      discord,
      naiveDiscord: naive,
      discordCrowd: crowd,
      renderer,
      discordVsNaive: comparison(discord, naive),
      slack,
      load,
      store: { sqlite, redis },
      wallSeconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await upstream.close();
  }

  const output = fileURLToPath(new URL('./results.json', import.meta.url));
  await writeFile(`${output}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  await rename(`${output}.tmp`, output);

  const lines = [
    `Machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.platform}; load average ${machine.loadAverage1m} at start`,
    `Upstream: ${TOKENS_PER_SECOND} tokens/s, reasoning first (Discord/Slack ${discordProfile.reasoningMs / 1000} s, load ${loadProfile.reasoningMs / 1000} s); ` +
      `answers of ${discordProfile.answerChars} chars (Discord) and ${slackProfile.answerChars} chars (Slack, load).`,
    `Limits enforced by the fakes: ${results.limits.discord}; Slack ${results.limits.slack}.`,
    '',
    table(
      ['run', 'done', 'mention → first message p50/p95', 'mention → first answer text p50/p95', 'upstream done → final edit p50/p95', 'edits/stream mean/max', '429s', 'final = upstream'],
      [
        streamRow('Discord: 1 stream, budget to spare', results.discordSolo),
        streamRow(`Discord: ${streams} streams, one channel`, results.discord),
        streamRow(`Discord naive baseline (1 edit/s/stream)`, results.naiveDiscord),
        streamRow(`Discord: ${crowdProfile.streams} short streams, one channel`, results.discordCrowd),
        streamRow(`Slack: ${streams} streams, one workspace`, results.slack),
      ],
    ),
    '',
  ];
  const vs = results.discordVsNaive;
  if (vs) {
    lines.push(
      `Naive vs ours on Discord: 429s ${vs.rateLimited.naive} vs ${vs.rateLimited.ours}; upstream done → final edit ` +
        `${fmt(vs.upstreamDoneToFinalP50Ratio, 1)}× (p50) and ${fmt(vs.upstreamDoneToFinalP95Ratio, 1)}× (p95) longer; ` +
        `mention → first answer text ${fmt(vs.mentionToFirstTextP50Ratio, 1)}× ours (p50).`,
      '',
    );
  }
  lines.push(
    table(['renderer, CPU only', 'value'], rendererRows(results.renderer)),
    '',
    table([`${loadProfile.streams} concurrent streams, one process (core + recording surface)`, 'value'], loadRows(results.load)),
    '',
    table(['history store, 50-turn thread', 'append p50/p95', 'load p50/p95', 'record size'], [
      storeRow(results.store.sqlite, 'SQLite (file)'),
      storeRow(results.store.redis, 'Redis (local redis-server)'),
    ]),
    '',
    `Whole run: ${fmt(results.wallSeconds, 1)} s. Results: bench/results.json`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
// discord.js and Bolt may keep a socket in its keep-alive pool for a while; everything the bench started is closed.
process.exit();
