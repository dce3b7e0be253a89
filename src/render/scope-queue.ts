/**
 * One rate scope's queue in the `WriteScheduler`: the jobs waiting to write
 * there and the order they go in, the pacing of live writes, and the reserve
 * (urgent writes the streams in flight expect). Counting writes against the
 * platform's budget is the ledger's, not this queue's.
 */
import type { RateScope } from '../surface.ts';
import { paceMs } from './pacing.ts';

/**
 * How urgent a write is: `final` goes before everything else in its scope;
 * `first` (a message's first post, the first words) next, then `live` (answer
 * text); `status` (refreshing a "Thinking…" status) last, and at most one per five
 * pacing intervals, so a channel full of thinking answers keeps budget for the first words.
 */
export type WritePriority = 'final' | 'first' | 'live' | 'status';

const RANK: Record<WritePriority, number> = { final: 0, first: 1, live: 2, status: 3 };

/** Final and first writes skip pacing and take any budget there is. */
export const urgent = (priority: WritePriority): boolean => priority === 'final' || priority === 'first';

/** One stream's pending writes, as the scheduler sees them. */
export interface WriteJob {
  /** Read when the scheduler picks the next job, so it reflects the latest state. */
  readonly priority: WritePriority;
  /**
   * Writes the latest state once. Resolves whether anything was written (false
   * frees the slot). Handles its own failures, except a rate limit: that it throws
   * as a `PlatformError` of kind `rate-limited`, and the scheduler pauses the scope
   * and runs the job again (with the then latest state) when the pause is over.
   */
  run(): Promise<boolean>;
  /**
   * The budget for this write is short right now: take another path instead of
   * waiting, if there is one. Returns whether it did; the scheduler then forgets the
   * job, which asks again (in the other path's scope) when it is ready.
   */
  overflow?(): boolean;
}

/** What else a write needs besides its own scope. */
export interface WriteNeeds {
  /**
   * The write opens a message whose final will count in this scope (Slack: a stream
   * started now is stopped later): it goes only if that scope can still promise one
   * more final beyond those the streams in flight expect there.
   */
  readonly promises?: RateScope | undefined;
  /**
   * How many writes the promise holds there (default 1). A thinking placeholder holds
   * two: the edit that will show its first words, and its final.
   */
  readonly promiseWrites?: number | undefined;
  /**
   * The write is optional and costs the promised scope a write the answer does not
   * need (a thinking placeholder): it goes only while no other answer expects writes
   * there, and is dropped (`WriteJob.overflow`), not queued, when it cannot go at once.
   */
  readonly onlyIfIdle?: boolean | undefined;
  /** The write also spends one write in this scope now (a stream started and stopped at once). */
  readonly alsoSpends?: RateScope | undefined;
}

export interface Waiting {
  readonly job: WriteJob;
  /** When the job started waiting; the longest-waiting job goes next. */
  readonly since: number;
  needs: WriteNeeds;
  /** Since when the write has waited for a promise it must have (`WriteNeeds.promises`, not optional). */
  promiseSince: number | undefined;
}

/** Whether `needs` hold the write until another scope promises its writes. */
const holdsForPromise = (needs: WriteNeeds): boolean => needs.promises !== undefined && needs.onlyIfIdle !== true;

export class ScopeQueue {
  scope: RateScope;
  readonly waiting: Waiting[] = [];
  inFlight = 0;
  lastStart = Number.NEGATIVE_INFINITY;
  lastStatusStart = Number.NEGATIVE_INFINITY;
  lastFinish = Number.NEGATIVE_INFINITY;
  pausedUntil = 0;
  /** Urgent writes the streams in flight said they will need here (`WriteScheduler.expect`). */
  expected = 0;
  /** Finals promised by writes still running, before their streams `expect` them. */
  promised = 0;
  /** Urgent writes running: each is one of the writes its stream expects, already counted by the ledger. */
  urgentInFlight = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  pumpQueued = false;
  /** A pump is waiting for the ledger; `pumpAgain` asks it to look once more when done. */
  pumping = false;
  pumpAgain = false;

  constructor(scope: RateScope) {
    this.scope = scope;
  }

  /** Queues `job`; a job already waiting keeps its place, with its `needs` updated. */
  add(job: WriteJob, needs: WriteNeeds, now: number): void {
    const promiseSince = holdsForPromise(needs) ? now : undefined;
    const waiting = this.waiting.find((w) => w.job === job);
    if (!waiting) return void this.waiting.push({ job, since: now, needs, promiseSince });
    waiting.needs = needs;
    // A placeholder that became a first-words post starts waiting for its promise now.
    waiting.promiseSince = promiseSince === undefined ? undefined : (waiting.promiseSince ?? now);
  }

  /** Takes `job` out; whether it was waiting. */
  remove(job: WriteJob): boolean {
    const index = this.waiting.findIndex((w) => w.job === job);
    if (index === -1) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /**
   * The budget live writes leave: the urgent writes its streams expect, and the finals
   * promised, less those running (the ledger counts them already; their streams stop
   * expecting them once they land).
   */
  get reserve(): number {
    return Math.max(0, this.expected + this.promised - this.urgentInFlight);
  }

  /** By rank (final, first, live, status); within a rank the job that has waited longest. */
  next(): Waiting {
    let best = this.waiting[0] as Waiting;
    for (const waiting of this.waiting) {
      const rank = RANK[waiting.job.priority] - RANK[best.job.priority];
      if (rank < 0 || (rank === 0 && waiting.since < best.since)) best = waiting;
    }
    return best;
  }

  /** When `next` may start as far as pacing goes: urgent writes at once, live ones a pacing interval after the last write. */
  pacedUntil(next: Waiting): number {
    const priority = next.job.priority;
    if (urgent(priority)) return 0;
    const interval = paceMs(this.scope);
    const live = this.lastStart + interval;
    return priority === 'status' ? Math.max(live, this.lastStatusStart + 5 * interval) : live;
  }

  /** Lets every waiting job that can go another way do so. Returns whether any did. */
  overflow(): boolean {
    let moved = false;
    for (const waiting of [...this.waiting]) {
      if (!waiting.job.overflow) continue;
      const index = this.waiting.indexOf(waiting);
      this.waiting.splice(index, 1);
      if (waiting.job.overflow()) moved = true;
      else if (!this.waiting.includes(waiting)) this.waiting.splice(index, 0, waiting);
    }
    return moved;
  }

  /** `waiting` leaves the queue to write now. */
  start(waiting: Waiting, now: number): void {
    this.waiting.splice(this.waiting.indexOf(waiting), 1);
    this.inFlight += 1;
    if (urgent(waiting.job.priority)) this.urgentInFlight += 1;
    this.lastStart = now;
    if (waiting.job.priority === 'status') this.lastStatusStart = now;
  }

  /** Nothing waits, runs or is expected here: when the queue may be forgotten (its window passed, any pause over). */
  idleUntil(): number | undefined {
    if (this.waiting.length > 0 || this.inFlight > 0 || this.expected > 0 || this.promised > 0) return undefined;
    return Math.max(this.pausedUntil, this.lastFinish + this.scope.windowMs);
  }
}
