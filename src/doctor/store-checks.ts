/**
 * The store's part of the doctor: the SQLite file opens and takes a write
 * (through the bot's own openStore, so the same path rules and pragmas), or
 * Redis answers PING, says its version and takes a write. The probe key is
 * deleted again and expires on its own should the doctor die in between.
 */
import { createClient } from '@keyv/redis';
import { openStore } from '../store/open-store.ts';
import { fail, pass, type CheckResult, type DoctorSection } from './check-result.ts';
import { doctorText } from './doctor-text.ts';
import { describeNoAnswer, printableUrl, withTimeout } from './probe-failure.ts';

const PROBE_KEY = `doctor:probe:${process.pid}`;

/** Shown as written in STORE_URL (`./data/bot.sqlite`), which is what the operator recognises. */
function sqliteLocation(storeUrl: string): string {
  return storeUrl.slice('sqlite://'.length);
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

async function checkSqlite(storeUrl: string, timeoutMs: number): Promise<CheckResult> {
  const t = doctorText.store;
  const where = sqliteLocation(storeUrl);
  try {
    const store = await openStore(storeUrl, { sweepIntervalMs: 0, busyTimeoutMs: timeoutMs });
    try {
      const keyv = store.keyv('doctor');
      await keyv.set(PROBE_KEY, 'ok', 60_000);
      const readBack = await keyv.get(PROBE_KEY);
      await keyv.delete(PROBE_KEY);
      if (readBack !== 'ok') return fail(t.sqliteFailed(where, 'the probe key did not read back'), t.sqliteFailedFix);
    } finally {
      await store.close();
    }
  } catch (error) {
    return fail(t.sqliteFailed(where, reasonOf(error)), t.sqliteFailedFix);
  }
  return where === ':memory:' || where === '' ? pass(t.sqliteMemory) : pass(t.sqliteWritable(where));
}

/** `redis_version:7.2.4` from the INFO server section (redis.io/docs/latest/commands/info). */
function redisVersion(info: string): string {
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/** Login refusals: WRONGPASS (ACL, Redis 6+), NOAUTH (a password is required), or an AUTH sent to a server without one. */
const AUTH_REPLY = /^(WRONGPASS|NOAUTH)\b|without any password configured/;

async function checkRedis(storeUrl: string, timeoutMs: number): Promise<CheckResult> {
  const t = doctorText.store;
  const where = printableUrl(storeUrl);
  // The bot's client reconnects for ever; a probe wants the first failure, so no reconnect strategy.
  const client = createClient({ url: storeUrl, disableOfflineQueue: true, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => {}); // reported through the rejected command instead
  let stage: 'connect' | 'command' = 'connect';
  try {
    await withTimeout(client.connect(), timeoutMs);
    stage = 'command';
    await withTimeout(client.ping(), timeoutMs);
    const version = redisVersion(await withTimeout(client.info('server'), timeoutMs));
    await withTimeout(client.set(PROBE_KEY, 'ok', { PX: 60_000 }), timeoutMs);
    await withTimeout(client.del(PROBE_KEY), timeoutMs);
    return pass(t.redisOk(where, version));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (AUTH_REPLY.test(reason)) return fail(t.redisAuth(where, reason.split('\n')[0] ?? reason), t.redisAuthFix);
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    if (stage === 'connect' || timedOut) return fail(t.redisDown(where, describeNoAnswer(error, timeoutMs).reason), t.redisDownFix);
    return fail(t.redisFailed(where, reason.split('\n')[0] ?? reason), t.redisFailedFix);
  } finally {
    // After a failed connect the client is already closed, and destroy() would throw.
    if (client.isOpen) client.destroy();
  }
}

export function storeSection(storeUrl: string, opts: { timeoutMs: number }): DoctorSection {
  return {
    title: doctorText.store.title,
    async run() {
      const check = storeUrl.startsWith('sqlite://') ? checkSqlite : checkRedis;
      return [await check(storeUrl, opts.timeoutMs)];
    },
  };
}
