import Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type RecoveryOptions, UnfinishedTurns } from '../../src/conversation/unfinished-turns.ts';
import { PlatformError } from '../../src/errors/platform-error.ts';
import { WriteScheduler } from '../../src/render/scheduler.ts';
import { KeyvRecords } from '../../src/store/atomic-records.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import type { MessageRef, MessageState } from '../../src/surface.ts';
import { describeRedis, type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { RecordingSurface } from '../support/recording-surface.ts';

/** A platform channel that outlives the bot process: the same messages before and after a restart. */
class AddressedSurface extends RecordingSurface {
  readonly address = 'test:channel-1';
  /** Failures for the next edits, in order. */
  readonly editFailures: PlatformError[] = [];
  edits = 0;

  override async edit(message: MessageRef, text: string, state: MessageState): Promise<void> {
    this.edits += 1;
    const failure = this.editFailures.shift();
    if (failure) throw failure;
    return super.edit(message, text, state);
  }
}

const marker = '⚠️ *Interrupted.*';
const signal = new AbortController().signal;

/** Recovery as a restarted bot runs it, with the scheduler live answers write through. */
function recovering(channel: AddressedSurface, scheduler = new WriteScheduler()): RecoveryOptions {
  return { reopen: (address) => (address === channel.address ? channel : undefined), marker: (locale) => (locale === 'en' ? marker : `${marker} (${locale})`), scheduler, signal };
}

/** Starts an answer that a crash will cut: tracked, posted, never done. */
async function cutAnswer(turns: UnfinishedTurns, turnId: string, channel: AddressedSurface, text: string): Promise<void> {
  const tracked = turns.track(turnId, channel);
  await tracked.surface.post(text, 'live', signal);
}

const stores: UnfinishedTurns[] = [];
function instance(keyv: Keyv, id: string, opts: ConstructorParameters<typeof UnfinishedTurns>[2] = {}): UnfinishedTurns {
  // One process in these tests: every instance shares one in-process serialisation of updates.
  const turns = new UnfinishedTurns(keyv, id, { records: recordsOf(keyv), mark: { retryBaseMs: 1 }, ...opts });
  stores.push(turns);
  return turns;
}
const records = new WeakMap<Keyv, KeyvRecords>();
function recordsOf(keyv: Keyv): KeyvRecords {
  let found = records.get(keyv);
  if (!found) records.set(keyv, (found = new KeyvRecords(keyv)));
  return found;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(stores.splice(0).map((t) => t.stop().catch(() => undefined)));
});

describe('marking answers a crash cut off', () => {
  test('after a crash mid-answer the next start marks the message as interrupted, keeping its text', async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    const before = instance(keyv, 'instance-a');
    const tracked = before.track('turn-1', channel);
    const ref = await tracked.surface.post('💭 Thinking…', 'live', signal);
    await tracked.surface.edit(ref, 'The answer so far', 'live', signal);
    // The process dies here: done() is never called.

    const after = instance(keyv, 'instance-a');
    expect(await after.start(recovering(channel))).toMatchObject({ marked: 1, gone: 0, failed: 0 });
    expect(channel.messages[0]).toMatchObject({ state: 'final' });
    expect(channel.messages[0]?.text).toBe(`💭 Thinking…\n\n${marker}`);
    expect(await after.recover(recovering(channel))).toMatchObject({ marked: 0 });
  });

  test("an answer cut by a crash is marked in its asker's language, and reopened with it", async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    const before = instance(keyv, 'instance-a');
    await before.track('turn-1', channel, 'zh-TW').surface.post('回答到一半', 'live', signal);

    const after = instance(keyv, 'instance-a');
    const reopened: string[] = [];
    const recovery = recovering(channel);
    await after.start({ ...recovery, reopen: (address, locale) => (reopened.push(locale), recovery.reopen(address, locale)) });
    expect(channel.messages[0]?.text).toBe(`回答到一半\n\n${marker} (zh-TW)`);
    expect(reopened).toEqual(['zh-TW']);
  });

  test('a finished answer is not marked, nor is an answer this run is still writing', async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    const turns = instance(keyv, 'instance-a');
    const finished = turns.track('turn-1', channel);
    await finished.surface.post('done', 'final', signal);
    await finished.done();
    await cutAnswer(turns, 'turn-2', channel, 'still streaming');

    expect(await turns.start(recovering(channel))).toMatchObject({ marked: 0 });
    expect(channel.messages.map((m) => m.text)).toEqual(['done', 'still streaming']);
  });

  test('the answers of another live instance are left to it; those of a dead one are marked', async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    const alive = instance(keyv, 'instance-alive');
    await alive.start(recovering(channel));
    await cutAnswer(alive, 'turn-1', channel, 'streaming on a live instance');
    // An instance that crashed long ago: its heartbeat has expired, its record is still there.
    await cutAnswer(instance(keyv, 'instance-dead'), 'turn-2', channel, 'cut by a crash');

    const report = await instance(keyv, 'instance-new').start(recovering(channel));
    expect(report).toMatchObject({ marked: 1, liveOwners: ['instance-alive'] });
    expect(channel.messages.map((m) => m.text)).toEqual(['streaming on a live instance', `cut by a crash\n\n${marker}`]);
  });

  test('a replica that comes back under a new host name still gets its old answers marked, once the old heartbeat has expired', async () => {
    vi.useFakeTimers({ now: 1_750_000_000_000 });
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    // The old life beat its heart (ttl 60 s) and was killed mid-answer.
    await keyv.set('instance:host-old', { life: 'old-life' }, 60_000);
    await cutAnswer(instance(keyv, 'host-old', { life: 'old-life' }), 'turn-1', channel, 'cut by a crash');

    const report = await instance(keyv, 'host-new', { heartbeatTtlMs: 60_000 }).start(recovering(channel));
    expect(report).toMatchObject({ marked: 0, liveOwners: ['host-old'] });
    await vi.advanceTimersByTimeAsync(62_000);
    await vi.waitFor(() => expect(channel.messages[0]?.text).toBe(`cut by a crash\n\n${marker}`));
  });

  test('two instances starting at once mark a dead instance’s answer once', async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    await cutAnswer(instance(keyv, 'instance-dead'), 'turn-1', channel, 'cut by a crash');
    const reports = await Promise.all([instance(keyv, 'a').start(recovering(channel)), instance(keyv, 'b').start(recovering(channel))]);
    expect(reports.map((r) => r.marked).sort()).toEqual([0, 1]);
    expect(channel.messages[0]?.text).toBe(`cut by a crash\n\n${marker}`);
  });

  test('a 429 and a 5xx while marking are retried through the scheduler; the record stays until the message is marked', async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    await cutAnswer(instance(keyv, 'instance-a'), 'turn-1', channel, 'cut by a crash');
    channel.editFailures.push(
      new PlatformError('rate-limited', 'chat.update: rate limited', { retryAfterMs: 5, code: 'ratelimited' }),
      new PlatformError('unavailable', 'chat.update: HTTP 503', { code: '503' }),
    );
    const scheduler = new WriteScheduler();
    const recordKept: boolean[] = [];
    const original = channel.edit.bind(channel);
    channel.edit = async (message, text, state) => {
      recordKept.push((await keyv.get('unfinished:instance-a:turn-1')) !== undefined);
      return original(message, text, state);
    };

    expect(await instance(keyv, 'instance-a').start(recovering(channel, scheduler))).toMatchObject({ marked: 1 });
    expect(channel.edits).toBe(3);
    expect(recordKept).toEqual([true, true, true]);
    expect(scheduler.rateLimitedCount).toBe(1);
    expect(channel.messages[0]?.text).toBe(`cut by a crash\n\n${marker}`);
    expect(await keyv.get('unfinished:instance-a:turn-1')).toBeUndefined();
  });

  test('a message that is gone is forgotten; one that cannot be written now is kept for the next start', async () => {
    const keyv = new Keyv();
    const channel = new AddressedSurface();
    const crashed = instance(keyv, 'instance-a');
    await cutAnswer(crashed, 'turn-1', channel, 'deleted since');
    await cutAnswer(crashed, 'turn-2', channel, 'in a channel the bot was removed from');
    channel.editFailures.push(new PlatformError('gone', 'message_not_found'), new PlatformError('forbidden', 'not_in_channel'));

    expect(await instance(keyv, 'instance-a').start(recovering(channel))).toMatchObject({ marked: 0, gone: 1, failed: 1 });
    expect(await keyv.get('unfinished:instance-a:turn-1')).toBeUndefined();
    expect(await keyv.get('unfinished:instance-a:turn-2')).toBeDefined();

    expect(await instance(keyv, 'instance-a').start(recovering(channel))).toMatchObject({ marked: 1 });
    expect(channel.messages[1]?.text).toBe(`in a channel the bot was removed from\n\n${marker}`);
  });

  test('a store failure never fails the platform write', async () => {
    const broken = new Keyv({
      store: {
        get: async () => undefined,
        set: async () => {
          throw new Error('store down');
        },
        delete: async () => true,
        clear: async () => undefined,
      },
      throwOnErrors: true,
    });
    const errors: unknown[] = [];
    const channel = new AddressedSurface();
    const tracked = new UnfinishedTurns(broken, 'a', { onError: (e) => errors.push(e) }).track('t', channel);
    const ref: MessageRef = await tracked.surface.post('hello', 'live', signal);
    expect(ref).toEqual({ id: '0' });
    expect(channel.text()).toBe('hello');
    expect(errors).toHaveLength(1);
  });
});

describe('what tracking costs the store', () => {
  /** Bytes and writes the store took while `streams` answers streamed at once, each posting once and editing for 30 s. */
  async function storeWorkFor(streams: number): Promise<{ writes: number; bytes: number }> {
    let now = 0;
    const written = { writes: 0, bytes: 0 };
    const map = new Map<string, unknown>();
    const keyv = new Keyv({
      store: {
        get: async (key: string) => map.get(key),
        set: async (key: string, value: string) => {
          written.writes += 1;
          written.bytes += value.length;
          map.set(key, value);
          return true;
        },
        delete: async (key: string) => map.delete(key),
        clear: async () => map.clear(),
      },
    });
    const turns = new UnfinishedTurns(keyv, 'instance-a', { now: () => now });
    const answers = Array.from({ length: streams }, (_, i) => turns.track(`turn-${String(i).padStart(4, '0')}`, new AddressedSurface()));
    const refs = await Promise.all(answers.map((a) => a.surface.post('x'.repeat(100), 'live', signal)));
    for (let second = 1; second <= 30; second++) {
      now = second * 1000;
      await Promise.all(answers.map((a, i) => a.surface.edit(refs[i] as MessageRef, 'x'.repeat(100 + second * 50), 'live', signal)));
    }
    await Promise.all(answers.map((a) => a.done()));
    return written;
  }

  test('two hundred answers at once cost each answer the same store work as ten do', async () => {
    const few = await storeWorkFor(10);
    const many = await storeWorkFor(200);
    expect(many.writes / 200).toBe(few.writes / 10);
    expect(many.bytes / 200).toBe(few.bytes / 10);
  });
});

describeRedis('on Redis, shared by instances', () => {
  let redis: RedisServer;
  const opened: Store[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });
  async function onRedis(id: string): Promise<{ turns: UnfinishedTurns; store: Store }> {
    const store = await openStore(redis.url);
    opened.push(store);
    const turns = new UnfinishedTurns(store.keyv('turns'), id, { records: store.records('turns'), ttlMs: 3_600_000 });
    stores.push(turns);
    return { turns, store };
  }

  test('a dead instance’s answers are found by their keys and marked once, though two instances start at once', async () => {
    const channel = new AddressedSurface();
    const { turns: dead, store } = await onRedis('replica-old-hostname');
    await cutAnswer(dead, 'turn-1', channel, 'cut by a crash');
    await cutAnswer(dead, 'turn-2', channel, 'cut as well');
    const [a, b] = await Promise.all([onRedis('replica-a'), onRedis('replica-b')]);
    const reports = await Promise.all([a.turns.start(recovering(channel)), b.turns.start(recovering(channel))]);
    expect(reports[0]!.marked + reports[1]!.marked).toBe(2);
    expect(channel.messages.map((m) => m.text)).toEqual([`cut by a crash\n\n${marker}`, `cut as well\n\n${marker}`]);
    const left: string[] = [];
    for await (const key of store.records('turns').keys('unfinished:')) left.push(key);
    expect(left).toEqual([]);
  });
});
