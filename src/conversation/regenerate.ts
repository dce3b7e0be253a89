/**
 * Writing the newest answer of a conversation again: Regenerate, and a question
 * its author edited. The same question (or its edited text) goes upstream with
 * the history as it was before that answer, and streams into the messages the old
 * answer occupies; the new exchange replaces the old one in history, where it
 * stood. A regeneration that fails, or writes nothing, puts the previous answer
 * back with the reason below it, and history keeps it. It goes upstream as its
 * question's asker, so it meets their daily quotas and counts against them.
 */
import type { Logger } from 'pino';
import { newestExchange, questionOf, type Exchange } from '../history/exchanges.ts';
import type { StoredMessage } from '../history/record.ts';
import type { QuotaRefusal } from '../quota/token-quotas.ts';
import { StoreError } from '../store/store-error.ts';
import { userTextIn } from '../user-text.ts';
import type { TurnIo } from './core.ts';
import { answeredExchange } from './exchange.ts';
import { StoppedByUser } from './turn-end.ts';
import type { ConversationServiceOptions, LoadedTurn, StreamedTurn, TurnRunner } from './turn-runner.ts';
import type { AttachmentRef, EditedQuestion, RegenerateOutcome, RegenerateRequest, TurnOutcome, TurnRequest } from './types.ts';

/** Default EDIT_FOLLOW_MINUTES. */
const EDIT_FOLLOW_MS = 10 * 60_000;

/** What an edit changes: the question's text, and its files when the platform says. */
interface Edit {
  readonly text: string;
  readonly attachments: readonly AttachmentRef[] | undefined;
}

/** Whether an answer may be written again: yes with the exchange to replace, or why not. */
type Checked = { readonly type: 'ok'; readonly exchange: Exchange } | { readonly type: 'not-newest' | 'unknown' | 'unchanged' | 'too-late' };

type Refused = Exclude<Checked, { readonly type: 'ok' }>;

/**
 * A regeneration that may go ahead: what the turn read, the old exchange, the request that
 * asks its question again, and the quota it met, if any.
 */
interface Redo {
  readonly loaded: LoadedTurn;
  readonly exchange: Exchange;
  readonly request: TurnRequest;
  readonly refusal: QuotaRefusal | undefined;
}

/** Questions being answered right now, on this instance: an edit may come before their exchange is stored. */
export interface QuestionsInFlight {
  /** The text of `turnId`'s question while its first answer streams here. */
  textOf(turnId: string): string | undefined;
}

export class Regenerator {
  readonly #runner: TurnRunner;
  readonly #o: ConversationServiceOptions;
  readonly #now: () => number;
  readonly #inFlight: QuestionsInFlight;
  /** Stops a turn wherever it streams (this instance or another). */
  readonly #stop: (turnId: string) => void;

  constructor(runner: TurnRunner, options: ConversationServiceOptions, deps: { now: () => number; inFlight: QuestionsInFlight; stop: (turnId: string) => void }) {
    this.#runner = runner;
    this.#o = options;
    this.#now = deps.now;
    this.#inFlight = deps.inFlight;
    this.#stop = deps.stop;
  }

  regenerate(request: RegenerateRequest, io: TurnIo, signal?: AbortSignal): Promise<RegenerateOutcome> {
    return this.#redo(request, undefined, io, signal);
  }

  async followEdit(edit: EditedQuestion, io: TurnIo, signal?: AbortSignal): Promise<RegenerateOutcome> {
    const changed: Edit = { text: edit.text, attachments: edit.attachments };
    const streaming = this.#inFlight.textOf(edit.turnId);
    if (streaming !== undefined) {
      // Its first answer is still being written: a link preview added meanwhile changes nothing, a new text stops it.
      if (streaming === edit.text && edit.attachments === undefined) return { type: 'unchanged' };
    } else {
      // Without the turn's lock: most edits are of messages the bot never answered, and must not queue behind a turn.
      const early = await this.#check(edit, changed, undefined).catch(() => undefined);
      if (early && early.type !== 'ok') return early;
    }
    this.#stop(edit.turnId);
    return this.#redo(edit, changed, io, signal);
  }

  #redo(target: RegenerateRequest, edit: Edit | undefined, io: TurnIo, signal: AbortSignal | undefined): Promise<RegenerateOutcome> {
    return this.#runner.run(target.turnId, signal, async (turnSignal, controller): Promise<RegenerateOutcome> => {
      const log = this.#o.logger.child({ conversation: target.conversationId, turn: target.turnId, redo: edit ? 'edit' : 'regenerate' });
      let held;
      try {
        held = await this.#runner.enter(target.conversationId, controller, turnSignal, log);
      } catch (error) {
        if (turnSignal.aborted) return { type: 'regenerated', outcome: { type: 'stopped' } };
        return this.#failed(error, log);
      }
      if (held === 'busy') return { type: 'busy' };
      try {
        let redo: Redo | Refused;
        try {
          redo = await this.#ready(target, edit, log);
        } catch (error) {
          return this.#failed(error, log);
        }
        if ('type' in redo) return redo;
        return { type: 'regenerated', outcome: await this.#write(target, redo, io, turnSignal, log) };
      } finally {
        await held.release();
      }
    });
  }

  /** What the regeneration reads before it starts, or why it may not go ahead. Rejects with the store's error. */
  async #ready(target: RegenerateRequest, edit: Edit | undefined, log: Logger): Promise<Redo | Refused> {
    const loaded = await this.#runner.load(target, log);
    const checked = await this.#check(target, edit, loaded.history);
    if (checked.type !== 'ok') return checked;
    const request = requestOf(target, checked.exchange, edit);
    return { loaded, exchange: checked.exchange, request, refusal: await this.#runner.overQuota(request, log) };
  }

  /** Whether `target` names the newest question, and for an edit whether it is one to follow; `history` read now when undefined. */
  async #check(
    target: RegenerateRequest,
    edit: Edit | undefined,
    history: readonly StoredMessage[] | undefined,
  ): Promise<Checked> {
    const messages = history ?? (await this.#o.history.load(target.conversationId)).messages;
    const exchange = newestExchange(messages);
    if (!exchange || exchange.question.turnId !== target.turnId) {
      return { type: questionOf(messages, target.turnId) ? 'not-newest' : 'unknown' };
    }
    if (edit) {
      const sameFiles = edit.attachments === undefined || sameRefs(edit.attachments, exchange.question.attachments);
      if (edit.text === exchange.question.text && sameFiles) return { type: 'unchanged' };
      if (this.#now() - exchange.question.at > (this.#o.editFollowMs ?? EDIT_FOLLOW_MS)) return { type: 'too-late' };
    }
    return { type: 'ok', exchange };
  }

  /**
   * Streams the new answer into the old one's messages, then stores it in the old one's place, or
   * puts the old one back (also when a quota keeps the question from going upstream).
   */
  async #write(target: RegenerateRequest, redo: Redo, io: TurnIo, signal: AbortSignal, log: Logger): Promise<TurnOutcome> {
    const { loaded, exchange, request, refusal } = redo;
    const { question, answer } = exchange;
    const existing = (answer?.shownIn ?? []).map((id) => ({ id }));
    const texts = userTextIn(target.locale ?? 'en');
    const { live, done } = this.#runner.liveMessage(question.turnId, io.surface, signal, log, texts.locale, existing);
    try {
      if (refusal) {
        live.replaceAnswer(answer?.text ?? '');
        await live.finish({ note: texts.regenerateKeptPrevious(refusal.userText) });
        return this.#runner.ended(target.conversationId, { type: 'over-quota', scope: refusal.scope }, { model: loaded.model });
      }
      // The history the first answer was written from: the exchange itself left out, what it read in kept.
      const streamed = await this.#runner.stream(request, { ...loaded, history: [...exchange.before] }, io, live, signal, log);
      const previous = answer?.text ?? '';
      const replaces = keepsNewAnswer(streamed) || previous.trim() === '';
      if (!replaces) live.replaceAnswer(previous);
      const note = replaces || signal.reason instanceof StoppedByUser ? streamed.end.note : texts.regenerateKeptPrevious(streamed.end.note ?? '');
      const shown = await live.finish({ note, footer: replaces ? this.#runner.footer(streamed.model, streamed.usage, texts.locale) : undefined });
      await this.#runner.count(request, streamed, log);
      if (replaces) {
        const stored = answeredExchange(request, question.at, streamed.prepared.attachments, {
          model: streamed.model,
          text: shown.shownText,
          status: streamed.end.status,
          at: this.#now(),
          shownIn: shown.refs.map((ref) => ref.id),
        });
        await this.#runner.writer.store(target.conversationId, stored, log, { retry: true, replaces: question.turnId });
      } else {
        log.info({ status: streamed.end.status }, 'regeneration wrote no new answer: the previous one stays');
      }
      const outcome = shown.undelivered ? { type: 'failed' as const, kind: `platform-${shown.undelivered}` } : streamed.end.outcome;
      return this.#runner.ended(target.conversationId, outcome, {
        model: streamed.model,
        usage: streamed.usage,
        firstTokenMs: streamed.firstTokenMs,
        errorCode: streamed.end.errorCode,
      });
    } finally {
      await done();
    }
  }

  #failed(error: unknown, log: Logger): RegenerateOutcome {
    if (error instanceof StoreError) {
      log.error({ err: error, operation: error.operation }, 'store unavailable');
      return { type: 'store-unavailable' };
    }
    log.error({ err: error }, 'regeneration could not start');
    return { type: 'failed' };
  }
}

/** The turn that asks `exchange`'s question again (or its edited text), as its asker, where it was asked. */
function requestOf(target: RegenerateRequest, exchange: Exchange, edit: Edit | undefined): TurnRequest {
  const { question } = exchange;
  return {
    turnId: question.turnId,
    conversationId: target.conversationId,
    channelId: target.channelId,
    author: { id: question.authorId, name: question.authorName },
    text: edit?.text ?? question.text,
    attachments: [...(edit?.attachments ?? question.attachments)],
    platformMessageId: question.platformMessageId,
    place: target.place,
    workspaceId: target.workspaceId,
    locale: target.locale,
  };
}

/**
 * A new answer takes the old one's place when it showed answer text and did not fail: a
 * Stop or a shutdown after some text keeps that text, as for any answer, but an error, an
 * empty answer, or a Stop before the first words leave the previous answer standing.
 */
function keepsNewAnswer(streamed: StreamedTurn): boolean {
  return streamed.wroteText && streamed.end.status !== 'failed';
}

function sameRefs(a: readonly AttachmentRef[], b: readonly AttachmentRef[]): boolean {
  return a.length === b.length && a.every((x, i) => x.ref === b[i]?.ref);
}
