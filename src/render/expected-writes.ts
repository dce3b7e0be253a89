/**
 * The urgent writes one answer will still need (its first post, the edit that
 * shows its first words, its final), per rate scope, as told to the scheduler
 * (`WriteScheduler.expect`) so that live writes of other answers leave budget for
 * them. Only changes are sent, so calling `update` after every write is cheap.
 */
import type { MessageState, RateScope, SurfaceScopes } from '../surface.ts';
import type { WriteScheduler } from './scheduler.ts';

/** Where one answer stands, as far as its coming urgent writes go. */
export interface AnswerProgress {
  readonly scopes: SurfaceScopes;
  /** The answer's messages so far: whether each was posted, and its last written state. */
  readonly messages: ReadonlyArray<{ readonly posted: boolean; readonly state: MessageState | undefined }>;
  /** A write carrying answer text has landed. */
  readonly answerShown: boolean;
  /** The surface only appends (its first post already shows the first words). */
  readonly appendOnly: boolean;
}

/**
 * The urgent writes still ahead: a post while no message is open; the edit that
 * turns a thinking status into the first words; the open message's final (in
 * `scopes.final` once a message is open there, else in `scopes.edit`).
 */
export function urgentWritesAhead(progress: AnswerProgress): Array<readonly [RateScope, number]> {
  const { scopes } = progress;
  const open = progress.messages.some((m) => m.posted && m.state !== 'final');
  const ahead: Array<readonly [RateScope, number]> = [];
  if (!open) ahead.push([scopes.post, 1]);
  if (!progress.appendOnly && !progress.answerShown) ahead.push([scopes.edit, 1]);
  if (!scopes.final) ahead.push([scopes.edit, 1]);
  else if (open) ahead.push([scopes.final, 1]);
  return ahead;
}

export class ExpectedWrites {
  readonly #scheduler: WriteScheduler;
  readonly #told = new Map<string, { scope: RateScope; writes: number }>();

  constructor(scheduler: WriteScheduler) {
    this.#scheduler = scheduler;
  }

  /** Tells the scheduler what is expected now, sending only the differences. */
  update(ahead: ReadonlyArray<readonly [RateScope, number]>): void {
    const wanted = new Map<string, { scope: RateScope; writes: number }>();
    for (const [scope, writes] of ahead) {
      const entry = wanted.get(scope.key);
      if (entry) entry.writes += writes;
      else wanted.set(scope.key, { scope, writes });
    }
    for (const [key, told] of this.#told) {
      if (!wanted.has(key)) this.#scheduler.expect(told.scope, -told.writes);
    }
    for (const [key, want] of wanted) this.#scheduler.expect(want.scope, want.writes - (this.#told.get(key)?.writes ?? 0));
    this.#told.clear();
    for (const [key, want] of wanted) this.#told.set(key, want);
  }

  /** The answer needs nothing more. */
  clear(): void {
    this.update([]);
  }
}
