/**
 * Answers in progress, remembered in the store so that after a crash or a kill a
 * start can find the messages left growing ("Thinking…" forever) and mark them as
 * interrupted.
 *
 * One record per answer (`unfinished:<instance>:<turn>`), holding only that answer's
 * newest message and its text, with a ttl: a write costs the same whether 1 or 500
 * answers stream, where one index per instance rewritten with every answer's text
 * made 200 streams cost 200 times as much per write.
 *
 * Whose records are whose: each carries its instance (`INSTANCE_ID`, stable across
 * restarts) and its life (random per process start). Each instance keeps a heartbeat
 * key with a short ttl. At start-up an instance marks the records its previous lives
 * left, and those of instances whose heartbeat expired (a replica that came back under
 * another host name, one that never came back); records of live instances are theirs.
 */
import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { z } from 'zod';
import type { WriteScheduler } from '../render/scheduler.ts';
import { LOCALES, type Locale } from '../i18n/locale.ts';
import { type AtomicRecords, KeyvRecords } from '../store/atomic-records.ts';
import type { AnswerProgress, MessagePlace, MessageRef, MessageState, Surface } from '../surface.ts';
import { type MarkOptions, markInterrupted } from './mark-interrupted.ts';

const recordSchema = z.object({
  version: z.literal(1),
  owner: z.string(),
  life: z.string(),
  address: z.string(),
  /** The answer's newest message and the text last written to it, as the platform shows it. */
  message: z.object({ id: z.string(), text: z.string() }),
  /** The asker's language: the marker, and the controls a reopened surface shows, are in it (older records: English). */
  locale: z.enum(LOCALES).optional(),
  /** An instance marking this record, until when: others leave it alone meanwhile. */
  claim: z.object({ by: z.string(), until: z.number() }).optional(),
});
type UnfinishedRecord = z.infer<typeof recordSchema>;

const heartbeatSchema = z.object({ life: z.string() });

const RECORDS = 'unfinished:';
const recordKey = (owner: string, turnId: string) => `${RECORDS}${owner}:${turnId}`;
const heartbeatKey = (owner: string) => `instance:${owner}`;

/** How often a growing message's text is saved: a crash loses at most this much of what was shown. */
const SAVE_EVERY_MS = 5_000;
/** How long a claim keeps other instances off a record while one marks it. */
const CLAIM_MS = 10 * 60_000;

export interface UnfinishedTurnsOptions {
  /** Where keys are listed and claims are made; default: this Keyv, within this process. */
  readonly records?: AtomicRecords | undefined;
  /** A record's expiry, restarted by each save (HISTORY_TTL_DAYS): one nobody could mark is not kept for ever. */
  readonly ttlMs?: number | undefined;
  /** How long an instance's heartbeat outlives it: others mark its answers after that (default 60 s). */
  readonly heartbeatTtlMs?: number;
  /** This process's life; default random. */
  readonly life?: string;
  readonly now?: () => number;
  /** Store failures while tracking: never a platform write's failure, only a log line. */
  readonly onError?: (error: unknown) => void;
  /** Retries of a mark that met a 5xx. */
  readonly mark?: MarkOptions;
}

export interface TrackedTurn {
  /** The surface to write through: it records what was shown. */
  readonly surface: Surface;
  /** The answer is complete: forget it. */
  done(): Promise<void>;
}

export interface RecoveryOptions {
  /** The adapter's surface for an address, in the asker's language; undefined when no running adapter made it (another platform). */
  readonly reopen: (address: string, locale: Locale) => Surface | undefined;
  /** The text appended to a cut answer, in the asker's language (`userText.interrupted`). */
  readonly marker: (locale: Locale) => string;
  /** The scheduler live answers write through: marks spend the same budgets. */
  readonly scheduler: WriteScheduler;
  readonly signal: AbortSignal;
}

export interface RecoveryReport {
  /** Messages that now say they were interrupted. */
  readonly marked: number;
  /** Records whose message was gone: dropped. */
  readonly gone: number;
  /** Records whose message could not be marked now (kept for the next start). */
  readonly failed: number;
  /** Instances whose heartbeat was alive: their records are theirs. */
  readonly liveOwners: readonly string[];
}

export class UnfinishedTurns {
  readonly #keyv: Keyv;
  readonly #records: AtomicRecords;
  readonly #owner: string;
  readonly #life: string;
  readonly #o: UnfinishedTurnsOptions;
  readonly #now: () => number;
  readonly #heartbeatTtlMs: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #resweep: NodeJS.Timeout | undefined;

  constructor(keyv: Keyv, instanceId: string, opts: UnfinishedTurnsOptions = {}) {
    this.#keyv = keyv;
    this.#records = opts.records ?? new KeyvRecords(keyv);
    this.#owner = instanceId;
    this.#life = opts.life ?? randomUUID();
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#heartbeatTtlMs = opts.heartbeatTtlMs ?? 60_000;
  }

  /** Wraps a turn's surface, remembering the asker's `locale` with it; surfaces without an address are not tracked. */
  track(turnId: string, surface: Surface, locale: Locale = 'en'): TrackedTurn {
    const address = surface.address;
    if (address === undefined) return { surface, done: async () => undefined };
    const key = recordKey(this.#owner, turnId);
    /** The message the saved record names; the text of edits between saves is not kept (the next save brings its own). */
    let newest: string | undefined;
    let savedAt = 0;
    let finished = false;
    // One write at a time per answer, in order: a late save must not bring back a deleted record.
    let chain: Promise<unknown> = Promise.resolve();
    const enqueue = (work: () => Promise<unknown>) => {
      const next = chain.then(work);
      chain = next.catch((error: unknown) => this.#o.onError?.(error));
      return chain;
    };
    const save = (id: string, text: string) => {
      savedAt = this.#now();
      const saved: UnfinishedRecord = { version: 1, owner: this.#owner, life: this.#life, address, message: { id, text }, locale };
      newest = id;
      return enqueue(() => (finished ? Promise.resolve() : this.#keyv.set(key, saved, this.#o.ttlMs)));
    };
    const tracked: Surface = {
      // Read through: a surface may change these mid-turn (Slack falling back from native streaming).
      get maxMessageLength() {
        return surface.maxMessageLength;
      },
      get scopes() {
        return surface.scopes;
      },
      get appendOnly() {
        return surface.appendOnly;
      },
      address,
      format: (markdown) => surface.format(markdown),
      post: async (text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace) => {
        const ref = await surface.post(text, state, signal, place);
        await save(ref.id, text);
        return ref;
      },
      edit: async (message: MessageRef, text: string, state: MessageState, signal: AbortSignal, place?: MessagePlace) => {
        await surface.edit(message, text, state, signal, place);
        // Only the newest message matters: the ones before it were sealed in their final state. A
        // regeneration grows by editing the messages it reuses: the one it writes live is the newest.
        if (newest !== message.id) {
          if (state === 'live') await save(message.id, text);
          return;
        }
        if (this.#now() - savedAt >= SAVE_EVERY_MS) await save(message.id, text);
      },
      ...(surface.delete && { delete: (message: MessageRef, signal: AbortSignal) => surface.delete?.(message, signal) ?? Promise.resolve() }),
      ...(surface.showTyping && { showTyping: (signal: AbortSignal) => surface.showTyping?.(signal) ?? Promise.resolve() }),
      ...(surface.finished && { finished: (signal: AbortSignal) => surface.finished?.(signal) ?? Promise.resolve() }),
      ...(surface.showProgress && { showProgress: (progress: AnswerProgress) => surface.showProgress?.(progress) }),
      ...(surface.overflow && { overflow: () => surface.overflow?.() }),
    };
    return {
      surface: tracked,
      done: async () => {
        if (finished) return;
        finished = true;
        if (newest !== undefined) await enqueue(() => this.#keyv.delete(key));
      },
    };
  }

  /**
   * Starts this instance's heartbeat and marks what crashed runs left (see the file's
   * comment). Records of instances still alive are looked at once more when their
   * heartbeat would have expired, in case they were dying as this one started.
   */
  async start(recovery: RecoveryOptions): Promise<RecoveryReport> {
    // Beating from the first moment, even if the store is down now: others must never take this life for dead.
    const beat = () => this.#beat().catch((error: unknown) => this.#o.onError?.(error));
    this.#heartbeat = setInterval(() => void beat(), this.#heartbeatTtlMs / 3);
    this.#heartbeat.unref();
    await beat();
    const report = await this.recover(recovery);
    if (report.liveOwners.some((owner) => owner !== this.#owner)) {
      this.#resweep = setTimeout(() => void this.recover(recovery).catch((error: unknown) => this.#o.onError?.(error)), this.#heartbeatTtlMs + 1000);
      this.#resweep.unref();
    }
    return report;
  }

  /** A clean shutdown: no heartbeat any more, so nobody waits for this life's records (it leaves none). */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#resweep);
    await this.#keyv.delete(heartbeatKey(this.#owner));
  }

  /** One sweep: marks every record left by a dead run that an adapter here can reach. */
  async recover(recovery: RecoveryOptions): Promise<RecoveryReport> {
    const alive = new Map<string, boolean>();
    const work: Promise<'marked' | 'gone' | 'failed' | 'skipped'>[] = [];
    for await (const key of this.#records.keys(RECORDS)) {
      const parsed = recordSchema.safeParse(await this.#keyv.get(key));
      if (!parsed.success) continue;
      const record = parsed.data;
      if (record.owner === this.#owner ? record.life === this.#life : await this.#isAlive(record.owner, alive)) continue;
      const surface = recovery.reopen(record.address, record.locale ?? 'en');
      if (!surface) continue;
      work.push(this.#claim(key).then((mine) => (mine ? this.#mark(key, record, surface, recovery) : 'skipped')));
    }
    const results = await Promise.all(work);
    const count = (result: string) => results.filter((r) => r === result).length;
    return {
      marked: count('marked'),
      gone: count('gone'),
      failed: count('failed'),
      liveOwners: [...alive].filter(([, live]) => live).map(([owner]) => owner),
    };
  }

  async #mark(key: string, record: UnfinishedRecord, surface: Surface, recovery: RecoveryOptions): Promise<'marked' | 'gone' | 'failed'> {
    const result = await markInterrupted(recovery.scheduler, surface, record.message, recovery.marker(record.locale ?? 'en'), recovery.signal, this.#o.mark);
    if (result !== 'failed') await this.#keyv.delete(key);
    // Kept when it could not be marked, unclaimed: the next start tries again.
    else await this.#records.update(key, (current) => {
      const parsed = recordSchema.safeParse(current);
      if (!parsed.success || parsed.data.claim?.by !== this.#life) return { type: 'keep' };
      return { type: 'write', value: { ...parsed.data, claim: undefined }, ttlMs: this.#o.ttlMs };
    });
    return result;
  }

  /** Takes the record for this life unless another instance is marking it: atomic, so two starting instances never mark one answer twice. */
  async #claim(key: string): Promise<boolean> {
    const now = this.#now();
    let mine = false;
    await this.#records.update(key, (current) => {
      const parsed = recordSchema.safeParse(current);
      mine = parsed.success && (parsed.data.claim === undefined || parsed.data.claim.until <= now || parsed.data.claim.by === this.#life);
      if (!mine || !parsed.success) return { type: 'keep' };
      return { type: 'write', value: { ...parsed.data, claim: { by: this.#life, until: now + CLAIM_MS } }, ttlMs: this.#o.ttlMs };
    });
    return mine;
  }

  async #isAlive(owner: string, seen: Map<string, boolean>): Promise<boolean> {
    let alive = seen.get(owner);
    if (alive === undefined) {
      alive = heartbeatSchema.safeParse(await this.#keyv.get(heartbeatKey(owner))).success;
      seen.set(owner, alive);
    }
    return alive;
  }

  async #beat(): Promise<void> {
    await this.#keyv.set(heartbeatKey(this.#owner), { life: this.#life }, this.#heartbeatTtlMs);
  }
}
