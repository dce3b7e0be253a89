/**
 * What adapters call: the platform-neutral conversation core. `ConversationService`
 * (src/conversation/service.ts) implements it; adapters receive it from src/main.ts.
 */
import type { Surface } from '../surface.ts';
import type { Locale } from '../i18n/locale.ts';
import type {
  AttachmentResolver,
  EditedQuestion,
  RegenerateOutcome,
  RegenerateRequest,
  TurnOutcome,
  TurnRequest,
  UnansweredReason,
  Vote,
  VoteOutcome,
} from './types.ts';

/** Where a turn's answer goes and how its attachments are fetched. Built per turn by the adapter. */
export interface TurnIo {
  readonly surface: Surface;
  readonly attachments: AttachmentResolver;
}

export type ModelTarget = { readonly conversationId: string } | { readonly channelId: string };

export type ModelChange = { readonly ok: true; readonly model: string } | { readonly ok: false; readonly userText: string };

/** A persona taken (trimmed), or the user's text why not (empty, longer than 4,000 characters). */
export type PersonaChange = { readonly ok: true; readonly persona: string } | { readonly ok: false; readonly userText: string };

export interface ConversationCore {
  /** The models on offer, from configuration, in order. */
  readonly models: readonly string[];
  /**
   * Answers one user message: waits its turn in the conversation, streams the
   * answer into `io.surface`, stores both sides. Never throws for one
   * conversation's trouble: failures are shown to the user and returned as an outcome.
   */
  answer(request: TurnRequest, io: TurnIo, signal?: AbortSignal): Promise<TurnOutcome>;
  /**
   * Keeps a question the bot did not answer in its conversation's history, marked not
   * answered, so the next question carries it and the model sees it in order. While the
   * store is down it waits in memory and is stored once the store answers again. Never
   * throws. `answer` does this itself for a busy conversation or a store outage; adapters
   * call it for questions turned away before reaching the core.
   */
  storeUnanswered(request: TurnRequest, reason: UnansweredReason): Promise<void>;
  /**
   * Writes the answer of `request.turnId` again: the same question with the history before
   * it, streamed into the messages the answer occupies (`io.surface` must write where they
   * are). Only the conversation's newest answer can be; it replaces the old one in history.
   * A regeneration that fails shows the previous answer again, the error below it. Who may
   * ask for it is the adapter's to check. Never throws.
   */
  regenerate(request: RegenerateRequest, io: TurnIo, signal?: AbortSignal): Promise<RegenerateOutcome>;
  /**
   * The person edited the message that asked `edit.turnId`: if it is the conversation's newest
   * question, asked within EDIT_FOLLOW_MINUTES, and its text changed, the answer is written
   * again from the new text (as `regenerate`, an answer still streaming is stopped first) and
   * history holds the edited question. Never throws.
   */
  followEdit(edit: EditedQuestion, io: TurnIo, signal?: AbortSignal): Promise<RegenerateOutcome>;
  /** Records a 👍/👎 with the answer it rates; a second press by the same person changes the vote. Never throws. */
  rate(vote: Vote): Promise<VoteOutcome>;
  /** Stops the turn started by `turnId` if it is streaming; true if there was one. */
  stop(turnId: string): boolean;
  /** Whether the conversation has any history: the bot has taken part in it (e.g. before a restart). */
  hasHistory(conversationId: string): Promise<boolean>;
  /** Forgets a conversation's history (its model choice stays). */
  reset(conversationId: string): Promise<void>;
  /** The model the next turn of this conversation would use. */
  modelFor(conversationId: string, channelId: string): Promise<string>;
  /** Sets a conversation's model, or a channel's default; an unknown model gives the user's text why, in `locale`. */
  setModel(target: ModelTarget, model: string, locale: Locale): Promise<ModelChange>;
  /**
   * The persona a turn here would use instead of SYSTEM_PROMPT: the conversation's own,
   * else its channel's; undefined for the default. (For a channel itself, pass its id twice.)
   */
  personaFor(conversationId: string, channelId: string): Promise<string | undefined>;
  /** Sets a conversation's persona, or a channel's; placeholders such as `{date}` are filled per turn. A refusal's text is in `locale`. */
  setPersona(target: ModelTarget, text: string, locale: Locale): Promise<PersonaChange>;
  /** Removes a conversation's or channel's persona: back to the default system prompt. */
  clearPersona(target: ModelTarget): Promise<void>;
}
