/**
 * `npm run doctor` as an operator runs it: its own process, against loopback
 * fakes of the provider, Discord and Slack and a real SQLite file or
 * redis-server. Healthy fakes give ✓ everywhere and exit 0; each kind of
 * trouble gives its ✗ line, a fix in plain words, and exit 1; no secret shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, test } from 'vitest';
import { ApplicationCommandType } from 'discord.js';
import { registerCommands } from '../../adapters/discord/register-commands.ts';
import { commandDefinitions } from '../../adapters/discord/commands.ts';
import { loadConfig } from '../../src/config.ts';
import { startBot } from '../../src/main.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.ts';
import { MANIFEST_SCOPES, startFakeSlack, type FakeSlack } from '../fakes/slack/server.ts';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from '../fakes/upstream.ts';
import { fixFor, lineStarting, runDoctorProcess } from '../support/doctor-process.ts';
import { freePort } from '../support/free-port.ts';
import { describeRedis, startRedisServer } from '../support/redis-server.ts';

/** `/model, /reset, …, "Ask Gemini about this"`: the commands as doctor names them (a context-menu one in quotes), in their defined order. */
const COMMAND_LIST = commandDefinitions.map((c) => (c.type === ApplicationCommandType.Message ? `"${c.name}"` : `/${c.name}`)).join(', ');

const LLM_KEY = 'sk-doctor-secret-key';
const SIGNING_SECRET = 'doctor-signing-secret';
const MODELS = ['gemini-2.5-pro', 'gemini-3.1-pro'];

interface Fakes {
  readonly discord: FakeDiscord;
  readonly slack: FakeSlack;
  readonly upstream: FakeUpstream;
  readonly port: number;
  readonly storeFile: string;
  /** Settings of a bot whose every part works. */
  readonly env: Record<string, string>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function healthyFakes(opts: { upstream?: FakeUpstreamOptions; slack?: Parameters<typeof startFakeSlack>[0]; register?: boolean } = {}): Promise<Fakes> {
  const discord = await startFakeDiscord();
  cleanups.push(() => discord.close());
  const slack = await startFakeSlack(opts.slack);
  cleanups.push(() => slack.close());
  const upstream = await startFakeUpstream({ apiKey: LLM_KEY, ...opts.upstream });
  cleanups.push(() => upstream.close());
  const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const storeFile = join(dir, 'data', 'bot.sqlite');
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: LLM_KEY,
    LLM_MODELS: MODELS.join(','),
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    STORE_URL: `sqlite://${storeFile}`,
  };
  if (opts.register !== false) {
    const config = loadConfig(env);
    if (!config.ok || !config.config.discord) throw new Error('test settings do not load');
    await registerCommands(config.config.discord);
  }
  return { discord, slack, upstream, port, storeFile, env };
}

test('against a healthy set-up every check passes, each model shows its latency, and it exits 0', async () => {
  const fakes = await healthyFakes();
  const run = await runDoctorProcess(fakes.env, { via: 'npm' });

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).not.toContain('✗');
  expect(lineStarting(run, '✓ settings: valid; platforms: Discord, Slack')).toBeDefined();
  expect(lineStarting(run, '✓ API key: accepted')).toBeDefined();
  expect(lineStarting(run, '✓ model gemini-2.5-pro (default): answers (')).toMatch(/\(\d+ ms\)$/);
  expect(lineStarting(run, '✓ model gemini-3.1-pro: answers (')).toMatch(/\(\d+ ms\)$/);
  expect(lineStarting(run, '✓ token: valid (bot Gemini')).toBeDefined();
  expect(lineStarting(run, '✓ Message Content intent: enabled')).toBeDefined();
  expect(lineStarting(run, '✓ servers: in 1 server')).toBeDefined();
  expect(lineStarting(run, `✓ commands: ${COMMAND_LIST} registered globally and current`)).toBeDefined();
  expect(lineStarting(run, '✓ permissions: the bot has every permission it needs')).toBeDefined();
  expect(lineStarting(run, '○ invite URL')).toContain(`client_id=${fakes.discord.world.applicationId}`);
  expect(lineStarting(run, '✓ bot token: valid (workspace Fake')).toBeDefined();
  expect(lineStarting(run, '✓ scopes: all 14 that manifest.yaml asks for are granted')).toBeDefined();
  expect(lineStarting(run, '✓ HTTP mode: the signing secret is set')).toBeDefined();
  expect(lineStarting(run, `✓ HTTP mode: port ${fakes.port} is free`)).toBeDefined();
  expect(lineStarting(run, `✓ SQLite ${fakes.storeFile}: writable`)).toBeDefined();
  expect(run.lines.at(-2)).toMatch(/^All \d+ checks passed\.$/);
  // The sections print in a fixed order, whichever answered first.
  const titles = ['Settings', 'Provider (', 'Discord', 'Slack', 'Store'].map((t) => run.lines.findIndex((l) => l.startsWith(t)));
  expect(titles).toEqual(titles.toSorted((a, b) => a - b));

  // One cheap question per model: non-streaming, capped at one token.
  expect(fakes.upstream.requests.map((r) => [r.body.model, r.body.stream, r.body.max_tokens]).toSorted()).toEqual(MODELS.map((m) => [m, false, 1]));
  for (const secret of [LLM_KEY, fakes.discord.token, 'xoxb-test', SIGNING_SECRET]) expect(run.stdout).not.toContain(secret);
});

test('a key the provider refuses (401 invalid_token) is named, with where to get a new one', async () => {
  const fakes = await healthyFakes();
  const run = await runDoctorProcess({ ...fakes.env, LLM_API_KEY: 'sk-wrong-key' });

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ API key: refused by the provider (HTTP 401 invalid_token')).toBeDefined();
  expect(fixFor(run, '✗ API key:')).toContain('LLM_API_KEY');
  expect(lineStarting(run, '○ model gemini-2.5-pro: not checked')).toBeDefined();
  expect(run.stdout).not.toContain('sk-wrong-key');
  expect(run.lines.at(-2)).toBe('1 check failed: fix the lines marked ✗, then run npm run doctor again.');
});

test('a configured model the provider does not offer fails alone; the others still answer', async () => {
  const fakes = await healthyFakes({ upstream: { models: ['gemini-2.5-pro'] } });
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✓ API key: accepted')).toBeDefined();
  expect(lineStarting(run, '✓ model gemini-2.5-pro (default): answers')).toBeDefined();
  expect(lineStarting(run, '✗ model gemini-3.1-pro: refused (HTTP 400 api_not_implemented')).toContain('trace id');
  expect(fixFor(run, '✗ model gemini-3.1-pro')).toContain('remove gemini-3.1-pro from LLM_MODELS');
});

test('a Discord application without the Message Content intent is named, with where to turn it on', async () => {
  const fakes = await healthyFakes();
  fakes.discord.world.applicationFlags = 0;
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ Message Content intent: not enabled')).toBeDefined();
  expect(fixFor(run, '✗ Message Content intent')).toMatch(/turn on Message Content Intent at discord\.com\/developers.*→ Bot/);
  expect(lineStarting(run, '✓ token: valid')).toBeDefined();
});

test('a Discord token Discord refuses is named, and the checks that need it are skipped', async () => {
  const fakes = await healthyFakes();
  const run = await runDoctorProcess({ ...fakes.env, DISCORD_TOKEN: 'not-the-bot-token' });

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ token: refused by Discord (HTTP 401)')).toBeDefined();
  expect(fixFor(run, '✗ token: refused')).toContain('DISCORD_TOKEN');
  expect(lineStarting(run, '○ other Discord checks: skipped')).toBeDefined();
  expect(run.stdout).not.toContain('not-the-bot-token');
});

test('commands never registered are named, with how to register them: a restart, or the command that does it alone', async () => {
  const fakes = await healthyFakes({ register: false });
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(1);
  expect(lineStarting(run, `✗ commands globally: ${COMMAND_LIST} not registered`)).toBeDefined();
  expect(fixFor(run, '✗ commands')).toContain('restart the bot');
  expect(fixFor(run, '✗ commands')).toContain('npm run register-commands');
});

test('commands registered to DISCORD_GUILD_ID are read there; an old registration is out of date', async () => {
  const fakes = await healthyFakes({ register: false });
  const env = { ...fakes.env, DISCORD_GUILD_ID: fakes.discord.world.guildId };
  const config = loadConfig(env);
  if (!config.ok || !config.config.discord) throw new Error('test settings do not load');
  await registerCommands(config.config.discord);
  expect(lineStarting(await runDoctorProcess(env), `✓ commands: ${COMMAND_LIST} registered in server`)).toBeDefined();

  // What an older version of the bot registered: /model without its autocomplete, and a command since removed.
  const older = commandDefinitions.map((command) =>
    command.name === 'model' && 'options' in command ? { ...command, options: command.options?.map((o) => ({ ...o, autocomplete: false })) } : command,
  );
  older.push({ name: 'imagine', description: 'Draw', type: 1 });
  fakes.discord.registeredCommands.push({ guildId: fakes.discord.world.guildId, commands: older as unknown[] });
  const run = await runDoctorProcess(env);
  expect(run.code).toBe(1);
  expect(lineStarting(run, `✗ commands in server ${fakes.discord.world.guildId}: /model out of date; /imagine registered but no longer the bot's`)).toBeDefined();
});

test('a bot in no server is named, with the invite URL to add it by', async () => {
  const fakes = await healthyFakes();
  fakes.discord.world.botInGuild = false;
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ servers: the bot is in no server, so nobody can mention it')).toBeDefined();
  expect(fixFor(run, '✗ servers')).toContain('invite URL');
});

test("a Discord server where the bot lacks a permission is a warning that names it, not a failure", async () => {
  const fakes = await healthyFakes();
  fakes.discord.world.everyonePermissions &= ~(1n << 38n); // Send Messages in Threads
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(0);
  expect(lineStarting(run, `! permissions: in Test Guild (${fakes.discord.world.guildId}) it lacks Send Messages In Threads`)).toBeDefined();
  expect(fixFor(run, '! permissions')).toContain('invite URL');
});

test('a Slack token missing a scope of the manifest is named, with where to add it', async () => {
  const fakes = await healthyFakes({ slack: { scopes: MANIFEST_SCOPES.filter((s) => s !== 'files:read') } });
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ scopes: missing files:read')).toBeDefined();
  expect(fixFor(run, '✗ scopes')).toMatch(/OAuth & Permissions.*reinstall the app/);
  expect(fakes.slack.calls.map((c) => c.method)).toEqual(['auth.test']);
});

test('a Slack bot token Slack refuses is named', async () => {
  const fakes = await healthyFakes();
  const run = await runDoctorProcess({ ...fakes.env, SLACK_BOT_TOKEN: 'xoxb-revoked' });

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ bot token: refused by Slack (invalid_auth)')).toBeDefined();
  expect(fixFor(run, '✗ bot token')).toContain('SLACK_BOT_TOKEN');
  expect(run.stdout).not.toContain('xoxb-revoked');
});

test('in HTTP mode a port already taken is named', async () => {
  const fakes = await healthyFakes();
  // Another program: it answers HTTP, but not as a Slack receiver would.
  const sockets = new Set<Socket>();
  const holder: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => holder.listen(fakes.port, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        holder.close(() => resolve());
      }),
  );
  const run = await runDoctorProcess(fakes.env);

  expect(run.code).toBe(1);
  expect(lineStarting(run, `✗ HTTP mode: port ${fakes.port} is already in use by a program that is not a Slack receiver`)).toBeDefined();
  expect(fixFor(run, '✗ HTTP mode')).toContain('PORT');
});

test('in HTTP mode a port taken by the running bot passes: asking the doctor while the bot runs is normal', async () => {
  const fakes = await healthyFakes();
  const bot = await startBot({ env: fakes.env, logger: pino({ level: 'silent' }) });
  cleanups.push(() => bot.stop(0));
  const run = await runDoctorProcess(fakes.env);

  expect(lineStarting(run, `✓ HTTP mode: port ${fakes.port} is taken by a running Slack receiver`)).toBeDefined();
  expect(run.code).toBe(0);
});

test('in Socket Mode the app token must open a connection; a refused one is named', async () => {
  const fakes = await healthyFakes({ slack: { appToken: 'xapp-1-right' } });
  const socketEnv = { ...fakes.env, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1-right' };
  const good = await runDoctorProcess(socketEnv);
  expect(lineStarting(good, '✓ Socket Mode: the app token opens a connection')).toBeDefined();
  expect(lineStarting(good, '✓ HTTP mode')).toBeUndefined();
  expect(fakes.slack.socketConnections()).toBe(0);

  const bad = await runDoctorProcess({ ...socketEnv, SLACK_APP_TOKEN: 'xapp-1-wrong' });
  expect(bad.code).toBe(1);
  expect(lineStarting(bad, '✗ Socket Mode: apps.connections.open refused (invalid_auth)')).toBeDefined();
  expect(fixFor(bad, '✗ Socket Mode')).toContain('connections:write');
});

test('a SQLite file that cannot be written is named', async () => {
  const fakes = await healthyFakes();
  // A directory where the file should be: SQLite cannot open it as a database.
  const run = await runDoctorProcess({ ...fakes.env, STORE_URL: `sqlite://${tmpdir()}` });

  expect(run.code).toBe(1);
  expect(lineStarting(run, `✗ SQLite ${tmpdir()}: not usable`)).toBeDefined();
  expect(fixFor(run, '✗ SQLite')).toContain('STORE_URL');
});

test('settings that do not load are listed, nothing is called, and it exits 1', async () => {
  const fakes = await healthyFakes();
  const run = await runDoctorProcess({ ...fakes.env, STORE_URL: 'ftp://nowhere' });

  expect(run.code).toBe(1);
  expect(run.stdout).toContain('STORE_URL: must start with sqlite://, redis:// or rediss://');
  expect(fakes.upstream.requests).toEqual([]);
});

test('with no platform configured the doctor says the bot would not start', async () => {
  const fakes = await healthyFakes();
  const run = await runDoctorProcess({ LLM_API_BASE: fakes.env.LLM_API_BASE ?? '', LLM_API_KEY: LLM_KEY, STORE_URL: fakes.env.STORE_URL ?? '' });

  expect(run.code).toBe(1);
  expect(lineStarting(run, '✗ settings: no platform is configured')).toBeDefined();
  expect(lineStarting(run, '○ not configured (set DISCORD_TOKEN to use it)')).toBeDefined();
});

describeRedis('the Redis store', () => {
  test('a Redis that answers shows its version', async () => {
    const fakes = await healthyFakes();
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const run = await runDoctorProcess({ ...fakes.env, STORE_URL: redis.url });

    expect(run.code).toBe(0);
    expect(lineStarting(run, `✓ Redis ${redis.url}: answers PING, version `)).toMatch(/version \d+\.\d+\.\d+;/);
  });

  test('a Redis that is down is named, and the password in STORE_URL is not printed', async () => {
    const fakes = await healthyFakes();
    const redis = await startRedisServer();
    await redis.stop();
    const run = await runDoctorProcess({ ...fakes.env, STORE_URL: `redis://:hunter2@127.0.0.1:${redis.port}` });

    expect(run.code).toBe(1);
    expect(lineStarting(run, `✗ Redis redis://***@127.0.0.1:${redis.port}: no answer (ECONNREFUSED)`)).toBeDefined();
    expect(fixFor(run, '✗ Redis')).toContain('start Redis');
    expect(run.stdout).not.toContain('hunter2');
  });
});
