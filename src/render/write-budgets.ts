/**
 * Which budgets one answer's writes count against (`budgetsOf`), and the urgent
 * writes it will still need (its first post, the edit that shows its first
 * words, its final), per rate scope, as told to the scheduler
 * (`WriteScheduler.expect`) so that live writes of other answers leave budget for
 * them. Only changes are sent, so calling `update` after every write is cheap.
 */
import type { RateScope, Surface, SurfaceScopes } from '../surface.ts';
import type { Write } from './message-slots.ts';
import type { WriteNeeds, WriteScheduler } from './scheduler.ts';

/**
 * A write as queued in the scheduler: its kind, and the budgets it counts against.
 * `placeholder`: a first post that shows only the thinking status (no answer text yet).
 */
export type Budgets = { readonly kind: 'post' | 'edit'; readonly scope: RateScope; readonly needs: WriteNeeds; readonly placeholder: boolean };

/** What `budgetsOf` needs to know of the answer besides the write. */
export interface WriteContext {
  /** The answer has text: a post shows it (otherwise a first post only shows the thinking status). */
  readonly hasAnswerText: boolean;
  /** The surface only appends (`Surface.appendOnly`): its first post already shows the first words. */
  readonly appendOnly: boolean;
}

/**
 * The budgets `write` counts against (see `SurfaceScopes`). A post counts in `post`
 * and promises the writes its message will need where they count (its final, in
 * `final` or else `edit`), or spends the final at once when it is already final.
 * Posting is the cheap way to show text (Slack: one a second per channel) and editing
 * the scarce one (chat.update: 50 a minute for a whole workspace), so a message is only
 * opened when its final edit can be promised: an answer that cannot waits, and posts
 * its text whole when it is over. A thinking placeholder also costs the edit that
 * turns it into the first words, which the crowd's first words and finals need more:
 * it is posted only while no other answer expects edits in that scope, and skipped
 * otherwise (the typing indicator or Stop control still shows the bot is at work).
 * An edit counts in `edit`, a final one in `final` when the surface has that budget;
 * a delete counts as an edit (Slack's chat.delete is chat.update's tier; Discord
 * counts both per channel).
 */
export function budgetsOf(scopes: SurfaceScopes, write: Write, context: WriteContext): Budgets {
  if (write.kind === 'delete') return { kind: 'edit', scope: scopes.edit, needs: {}, placeholder: false };
  if (write.kind === 'post') {
    if (write.frame.state === 'final') return { kind: 'post', scope: scopes.post, needs: { alsoSpends: scopes.final }, placeholder: false };
    const promised = scopes.final ?? scopes.edit;
    const placeholder = !context.hasAnswerText && !context.appendOnly && write.index === 0;
    // A surface that posts and edits from one budget has nothing to promise apart.
    if (promised.key === scopes.post.key) return { kind: 'post', scope: scopes.post, needs: {}, placeholder };
    const showsFirstWordsLater = placeholder && scopes.final === undefined;
    const needs: WriteNeeds = showsFirstWordsLater ? { promises: promised, promiseWrites: 2, onlyIfIdle: true } : { promises: promised };
    return { kind: 'post', scope: scopes.post, needs, placeholder };
  }
  return { kind: 'edit', scope: write.frame.state === 'final' ? (scopes.final ?? scopes.edit) : scopes.edit, needs: {}, placeholder: false };
}

/** Where one answer stands, as far as its coming urgent writes go. */
export interface AnswerProgress {
  readonly scopes: SurfaceScopes;
  /** A posted message is not final yet (the answer's current message). */
  readonly open: boolean;
  /** A write carrying answer text has landed. */
  readonly answerShown: boolean;
  /** The surface only appends (its first post already shows the first words). */
  readonly appendOnly: boolean;
}

/** Writes expected in one scope. */
type Expected = { readonly scope: RateScope; writes: number };

/**
 * The urgent writes still ahead: a post while no message is open (the writes it
 * will need once open are promised when it goes, see `budgetsOf`); once one is open,
 * the edit that turns a thinking status into the first words, and the open message's
 * final (in `scopes.final`, else in `scopes.edit`).
 */
export function urgentWritesAhead(progress: AnswerProgress): Expected[] {
  const { scopes, open } = progress;
  if (!open) return [{ scope: scopes.post, writes: 1 }];
  const ahead: Expected[] = [];
  const add = (scope: RateScope) => {
    const same = ahead.find((e) => e.scope.key === scope.key);
    if (same) same.writes += 1;
    else ahead.push({ scope, writes: 1 });
  };
  if (!progress.appendOnly && !progress.answerShown) add(scopes.edit);
  add(scopes.final ?? scopes.edit);
  return ahead;
}

/** What one answer told the scheduler it expects (a handful of scopes at most), sending only the differences. */
export class ExpectedWrites {
  readonly #scheduler: WriteScheduler;
  #told: Expected[] = [];

  constructor(scheduler: WriteScheduler) {
    this.#scheduler = scheduler;
  }

  update(ahead: Expected[]): void {
    for (const told of this.#told) {
      if (!ahead.some((e) => e.scope.key === told.scope.key)) this.#scheduler.expect(told.scope, -told.writes);
    }
    for (const want of ahead) {
      const told = this.#told.find((e) => e.scope.key === want.scope.key);
      this.#scheduler.expect(want.scope, want.writes - (told?.writes ?? 0));
    }
    this.#told = ahead;
  }

  /** The answer needs nothing more. */
  clear(): void {
    if (this.#told.length > 0) this.update([]);
  }
}

/** One answer's budgets on its surface: which way it writes, and the urgent writes it still expects. */
export class AnswerBudgets {
  readonly #surface: Surface;
  readonly #expected: ExpectedWrites;
  #overflowed = false;
  /** What `expect` last told the scheduler, from which inputs. */
  #told: { open: boolean; answerShown: boolean; scopes: SurfaceScopes; appendOnly: boolean } | undefined;

  constructor(surface: Surface, scheduler: WriteScheduler) {
    this.#surface = surface;
    this.#expected = new ExpectedWrites(scheduler);
  }

  budgetsOf(write: Write, hasAnswerText: boolean): Budgets {
    return budgetsOf(this.#surface.scopes, write, { hasAnswerText, appendOnly: this.#surface.appendOnly === true });
  }

  /** The surface has another path, not yet taken, and nothing was posted (messages stay on the path they were posted by). */
  canOverflow(posted: number): boolean {
    return this.#surface.overflow !== undefined && !this.#overflowed && posted === 0;
  }

  /** Takes the surface's other path (`Surface.overflow`), once. */
  overflow(): void {
    if (this.#overflowed) return;
    this.#overflowed = true;
    this.#surface.overflow?.();
  }

  /** Tells the scheduler what the answer still expects; `undefined` when it needs nothing more. */
  expect(progress: Pick<AnswerProgress, 'open' | 'answerShown'> | undefined): void {
    if (!progress) {
      this.#told = undefined;
      return this.#expected.clear();
    }
    const scopes = this.#surface.scopes;
    const appendOnly = this.#surface.appendOnly === true;
    // Called after every delta and write; most calls change nothing, and need not build the list again.
    const told = this.#told;
    if (told && told.open === progress.open && told.answerShown === progress.answerShown && told.scopes === scopes && told.appendOnly === appendOnly) return;
    this.#told = { open: progress.open, answerShown: progress.answerShown, scopes, appendOnly };
    this.#expected.update(urgentWritesAhead({ ...progress, scopes, appendOnly }));
  }
}
