/**
 * What one turn sends upstream, and how much: the system prompt (persona or
 * SYSTEM_PROMPT, placeholders filled), the history that fits, the messages the
 * adapter read from the platform that history does not hold yet (newest kept,
 * CONTEXT_MAX_MESSAGES, one notice when older ones were left out), every user
 * message named by its author once several people speak, and the attachments.
 */
import type { Logger } from 'pino';
import { AttachmentReader } from '../attachments/attachment-reader.ts';
import type { ContextHorizon } from '../history/context-horizon.ts';
import type { PersonaStore } from '../history/persona-store.ts';
import type { StoredMessage, StoredUserMessage } from '../history/record.ts';
import type { ChatMessage } from '../upstream/request.ts';
import { userTextIn } from '../user-text.ts';
import { buildMessages, selectHistory, severalSpeakers, userMessagesWithMedia, type ContextLimits, type ResolvedUserMessage } from './context.ts';
import { newEarlierMessages, storedFromEarlier } from './earlier-context.ts';
import { PromptClock, renderSystemPrompt } from './system-prompt.ts';
import { TurnMedia } from './turn-media.ts';
import type { AttachmentRef, AttachmentResolver, TurnRequest } from './types.ts';

export interface ContextBuilderOptions {
  /** SYSTEM_PROMPT, placeholders unfilled. */
  readonly systemPrompt: string;
  /** TZ: the zone `{date}` and `{time}` are told in (default: the process's). */
  readonly timeZone?: string | undefined;
  readonly limits: ContextLimits;
  /** CONTEXT_MAX_MESSAGES: most messages read in from the platform per turn (default 50). */
  readonly contextMaxMessages?: number | undefined;
  /** ATTACHMENT_MAX_MB: the largest image, video or PDF, in bytes. */
  readonly attachmentMaxBytes: number;
  /** ATTACHMENT_TOTAL_MAX_MB: all files of one turn together, in bytes (default 40 MB). */
  readonly attachmentTotalMaxBytes?: number | undefined;
  /** DOCUMENT_MAX_CHARS: characters of document text one turn sends (default 100,000). */
  readonly documentMaxChars?: number | undefined;
  /** Per-channel and per-thread personas (`/persona`); without it there are none. */
  readonly personas?: PersonaStore | undefined;
  /** Remembers resets, so messages read again from the platform stay forgotten. */
  readonly horizons?: ContextHorizon | undefined;
  readonly now: () => number;
}

/** What a turn reads from the store before it starts (so a store outage fails it cleanly). */
export interface TurnSettings {
  readonly systemPrompt: string;
  /** The conversation's last reset, if any: earlier platform messages stay forgotten. */
  readonly horizon: number | undefined;
}

export interface PreparedTurn {
  readonly messages: ChatMessage[];
  /** Messages read in from the platform, to store before the turn's own so no later turn reads them again. */
  readonly readIn: StoredMessage[];
  /** The new message's attachments that were used, to store with it. */
  readonly attachments: AttachmentRef[];
}

export class ContextBuilder {
  readonly #o: ContextBuilderOptions;
  readonly #attachments: AttachmentReader;
  readonly #clock: PromptClock;
  readonly #contextMaxMessages: number;

  constructor(options: ContextBuilderOptions) {
    this.#o = options;
    this.#clock = new PromptClock(options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    this.#contextMaxMessages = options.contextMaxMessages ?? 50;
    this.#attachments = new AttachmentReader({
      maxBytes: options.attachmentMaxBytes,
      totalMaxBytes: options.attachmentTotalMaxBytes ?? 40 * 1024 * 1024,
      documentMaxChars: options.documentMaxChars ?? 100_000,
    });
  }

  async settings(request: Pick<TurnRequest, 'conversationId' | 'channelId' | 'place'>): Promise<TurnSettings> {
    const [persona, horizon] = await Promise.all([
      this.#o.personas?.resolve(request.conversationId, request.channelId),
      this.#o.horizons?.get(request.conversationId),
    ]);
    const template = persona ?? this.#o.systemPrompt;
    return { systemPrompt: renderSystemPrompt(template, { now: this.#o.now(), clock: this.#clock, place: request.place }), horizon };
  }

  async prepare(
    request: TurnRequest,
    history: readonly StoredMessage[],
    settings: TurnSettings,
    io: { resolver: AttachmentResolver; signal: AbortSignal; log: Logger; notice: (markdown: string) => void },
  ): Promise<PreparedTurn> {
    const texts = userTextIn(request.locale ?? 'en');
    if (request.earlier?.failure) io.notice(texts.earlierUnreadable(request.earlier.failure));
    const earlier = newEarlierMessages(request.earlier, history, {
      currentMessageId: request.platformMessageId ?? request.turnId,
      horizon: settings.horizon,
      max: this.#contextMaxMessages,
    });
    const readIn = storedFromEarlier(earlier.messages, request.turnId, this.#o.attachmentMaxBytes);
    const selected = selectHistory([...history, ...readIn], this.#o.limits);
    const kept = new Set(selected);
    if (earlier.leftOut || readIn.some((m) => !kept.has(m))) io.notice(texts.earlierLeftOut);

    const media = new TurnMedia(this.#attachments, { ...io, texts });
    const current: ResolvedUserMessage = { text: request.text, contents: await media.read(request.attachments, true) };
    const fresh = new Set<StoredMessage>(readIn);
    const withMedia = userMessagesWithMedia(selected, this.#o.limits.mediaTurns);
    const resolved = new Map<StoredUserMessage, ResolvedUserMessage>();
    // Newest first: when the turn's total runs out, older files are the ones named in text instead.
    for (const m of [...withMedia].reverse()) {
      resolved.set(m, { text: m.text, contents: await media.read(m.attachments, fresh.has(m)) });
    }
    media.finish();

    const speakers = [...history, ...readIn].flatMap((m) => (m.role === 'user' ? [m.authorId] : []));
    const messages = buildMessages(
      settings.systemPrompt,
      selected.map((m) => (m.role === 'user' && resolved.has(m) ? { ...m, resolved: resolved.get(m) } : m)),
      { ...current, authorName: request.author.name },
      { namedSpeakers: severalSpeakers([...speakers, request.author.id]) },
    );
    return { messages, readIn, attachments: current.contents.map((c) => c.attachment) };
  }
}
