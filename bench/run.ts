/**
 * `npm run bench`: a benchmark, not a test. Starts the loopback fakes and the
 * bot as in production, measures what users and operators would notice, writes
 * bench/results.json and prints a table. bench/README.md says what each figure
 * means. Knobs: BENCH_STREAMS (concurrent answers per platform, default 5),
 * BENCH_CROWD_STREAMS (short answers in one Discord channel, default 50),
 * BENCH_SLACK_CROWDS (answers at once in one Slack workspace, default 20,50),
 * BENCH_LOAD_STREAMS (default 500), BENCH_LOG_LEVEL (the bot's logs, default silent).
 */
import { execFileSync } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnPacedUpstream, TOKENS_PER_SECOND } from '../test/fakes/paced-upstream.ts';
import { SLACK_MODELS } from '../test/fakes/slack/rate-model.ts';
import { runDiscord, type DiscordProfile } from './discord-run.ts';
import { runLoad, type LoadProfile } from './load-run.ts';
import { runNaiveDiscord } from './naive-discord.ts';
import { runNaiveSlack } from './naive-slack.ts';
import { runRenderer } from './renderer-run.ts';
import { comparison, goals, goalsTable, loadRows, rendererRows, STREAM_HEADER, storeRow, streamRow, versusLine } from './report.ts';
import { runSlack, type SlackProfile } from './slack-run.ts';
import { fmt, round, table } from './stats.ts';
import { runRedisStore, runSqliteStore } from './store-run.ts';

const streams = Number(process.env.BENCH_STREAMS ?? 5);
const discordProfile: DiscordProfile = { streams, reasoningMs: 5000, answerChars: 1600 };
/** Many answers in one Discord channel: short ones, since 50 first posts alone take 50 s at 5 per 5 s. */
const crowdProfile: DiscordProfile = { streams: Number(process.env.BENCH_CROWD_STREAMS ?? 50), reasoningMs: 2000, answerChars: 400 };
/** The window reading of Slack's tiers, a few answers at once (the row the bench had before the crowds). */
const slackWindowProfile: SlackProfile = { streams, reasoningMs: 5000, answerChars: 3000, reading: 'window', streaming: 'update' };
/** The crowd: answers of ~1,600 characters after 5 s of reasoning, under the token-bucket reading. */
const slackCrowds = (process.env.BENCH_SLACK_CROWDS ?? '20,50').split(',').map(Number).filter((n) => n > 0);
const slackCrowdProfile = (count: number, streaming: SlackProfile['streaming']): SlackProfile => ({
  streams: count,
  reasoningMs: 5000,
  answerChars: 1600,
  reading: 'bucket',
  streaming,
});
const loadProfile: LoadProfile = { streams: Number(process.env.BENCH_LOAD_STREAMS ?? 500), reasoningMs: 3000, answerChars: 3000 };

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

const describeModels = (reading: 'window' | 'bucket') =>
  Object.entries(SLACK_MODELS[reading])
    .map(([method, { model, per }]) => {
      const budget = model.type === 'window' ? `${model.limit} per ${model.windowMs / 1000} s` : `${model.burst} at once, then ${model.perMinute}/min`;
      return `${method} ${budget} per ${per}`;
    })
    .join('; ');

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
    const naiveDiscord = await part(`Discord naive baseline, ${streams} streams`, () => runNaiveDiscord(upstream, discordProfile));
    const discordCrowd = await part(`Discord, ${crowdProfile.streams} streams in one channel`, () => runDiscord(upstream, crowdProfile));
    const slackWindow = await part(`Slack, ${streams} streams in one workspace, window reading`, () => runSlack(upstream, slackWindowProfile));
    const crowds = [];
    for (const count of slackCrowds) {
      const native = await part(`Slack, ${count} at once, token bucket, native`, () => runSlack(upstream, slackCrowdProfile(count, 'native')));
      const update = await part(`Slack, ${count} at once, token bucket, update`, () => runSlack(upstream, slackCrowdProfile(count, 'update')));
      const naive = await part(`Slack naive baseline, ${count} at once, token bucket`, () => runNaiveSlack(upstream, slackCrowdProfile(count, 'update')));
      crowds.push({ streams: count, native, update, naive, nativeVsNaive: comparison(native, naive), updateVsNaive: comparison(update, naive) });
    }
    results = {
      generatedAt: new Date().toISOString(),
      machine,
      upstream: { tokensPerSecond: TOKENS_PER_SECOND, charsPerToken: 4 },
      profiles: { discord: discordProfile, discordCrowd: crowdProfile, slackWindow: slackWindowProfile, slackCrowd: slackCrowdProfile(0, 'native'), load: loadProfile },
      limits: {
        discord: 'PATCH and POST /channels/{id}/messages: 5 per 5 s per channel each (fixed window, real headers and 429s)',
        slackWindow: describeModels('window'),
        slackBucket: describeModels('bucket'),
      },
      discordSolo,
      discord,
      naiveDiscord,
      discordCrowd,
      discordVsNaive: comparison(discord, naiveDiscord),
      slackWindow,
      slackCrowds: crowds,
      renderer,
      load,
      store: { sqlite, redis },
      goals: goals({
        ours: [
          [`Discord, ${streams} in one channel`, discord],
          [`Discord, ${crowdProfile.streams} in one channel`, discordCrowd],
          [`Slack, ${streams}, window`, slackWindow],
          ...crowds.flatMap((c) => [[`Slack, ${c.streams}, native`, c.native] as const, [`Slack, ${c.streams}, update`, c.update] as const]),
        ],
        slack20: crowds.filter((c) => c.streams === 20).flatMap((c) => [['Slack, 20, native', c.native] as const, ['Slack, 20, update', c.update] as const]),
        slack50: crowds.filter((c) => c.streams === 50).flatMap((c) => [['Slack, 50, native', c.native] as const, ['Slack, 50, update', c.update] as const]),
        discord5: discord,
        load,
      }),
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
    `Upstream: ${TOKENS_PER_SECOND} tokens/s, reasoning first (5 s; Discord crowd 2 s, load 3 s); answers of ${discordProfile.answerChars} chars ` +
      `(Discord, Slack crowds), ${slackWindowProfile.answerChars} (Slack window row, load), ${crowdProfile.answerChars} (Discord crowd).`,
    `Limits enforced by the fakes: Discord ${results.limits.discord}.`,
    `Slack, window reading: ${results.limits.slackWindow}.`,
    `Slack, token-bucket reading: ${results.limits.slackBucket}. Each Slack answer in a channel of its own, one workspace.`,
    '',
    table(STREAM_HEADER, [
      streamRow('Discord: 1 stream, budget to spare', results.discordSolo),
      streamRow(`Discord: ${streams} streams, one channel`, results.discord),
      streamRow('Discord naive baseline (1 edit/s/stream)', results.naiveDiscord),
      streamRow(`Discord: ${crowdProfile.streams} short streams, one channel`, results.discordCrowd),
      streamRow(`Slack: ${streams} streams, window, update`, results.slackWindow),
      ...results.slackCrowds.flatMap((c) => [
        streamRow(`Slack: ${c.streams} at once, bucket, native`, c.native),
        streamRow(`Slack: ${c.streams} at once, bucket, update`, c.update),
        streamRow(`Slack naive baseline: ${c.streams}, bucket`, c.naive),
      ]),
    ]),
    '',
    ...[
      versusLine(`Discord, ${streams} in one channel`, results.discordVsNaive),
      ...results.slackCrowds.flatMap((c) => [
        versusLine(`Slack, ${c.streams} at once, native`, c.nativeVsNaive),
        versusLine(`Slack, ${c.streams} at once, update`, c.updateVsNaive),
      ]),
    ].filter((line): line is string => line !== undefined),
    '',
    goalsTable(results.goals),
    '',
    table(['renderer, CPU only', 'value'], rendererRows(results.renderer)),
    '',
    table([`${loadProfile.streams} concurrent streams, one process (core + recording surface with an address)`, 'value'], loadRows(results.load)),
    '',
    table(['history store, 50-turn thread', 'append p50/p95', 'load p50/p95', 'record size'], [
      storeRow(results.store.sqlite, 'SQLite (file)'),
      storeRow(results.store.redis, 'Redis (local redis-server)'),
    ]),
    '',
    `Whole run: ${fmt(results.wallSeconds, 1)} s. Results: bench/results.json`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
// discord.js and Bolt may keep a socket in its keep-alive pool for a while; everything the bench started is closed.
process.exit();
