/**
 * Answers in progress, remembered in the store so that after a crash or a kill
 * the next start can find the messages left growing ("Thinking…" forever) and
 * mark them as interrupted. Each instance keeps its own index (`INSTANCE_ID`),
 * written by one process only, so its read-modify-write needs no lock.
 */
import type Keyv from 'keyv';
import { z } from 'zod';
import type { MessageRef, MessageState, Surface } from '../surface.ts';

const unfinishedSchema = z.object({
  address: z.string(),
  /** The last text written to each message, as the platform shows it. */
  messages: z.array(z.object({ id: z.string(), text: z.string() })),
});
const indexSchema = z.record(z.string(), unfinishedSchema);

type Unfinished = z.infer<typeof unfinishedSchema>;

/** How often a growing message's text is saved: a crash loses at most this much of what was shown. */
const SAVE_EVERY_MS = 5_000;

export interface TrackedTurn {
  /** The surface to write through: it records what was shown. */
  readonly surface: Surface;
  /** The answer is complete: forget it. */
  done(): Promise<void>;
}

export class UnfinishedTurns {
  readonly #keyv: Keyv;
  readonly #key: string;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  /** Serialises this instance's index writes. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #turns = new Map<string, Unfinished>();

  constructor(keyv: Keyv, instanceId: string, opts: { now?: () => number; onError?: (error: unknown) => void } = {}) {
    this.#keyv = keyv;
    this.#key = `unfinished:${instanceId}`;
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError ?? (() => undefined);
  }

  /** Wraps a turn's surface; surfaces without an address are not tracked. */
  track(turnId: string, surface: Surface): TrackedTurn {
    const address = surface.address;
    if (address === undefined) return { surface, done: async () => undefined };
    const record: Unfinished = { address, messages: [] };
    let savedAt = 0;
    // A store failure must never fail a platform write: the record is only a safety net.
    const save = () => {
      savedAt = this.#now();
      this.#turns.set(turnId, record);
      return this.#persist().catch((error: unknown) => this.#onError(error));
    };
    const shown = (id: string, text: string) => {
      const message = record.messages.find((m) => m.id === id);
      if (message) message.text = text;
      else record.messages.push({ id, text });
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
      post: async (text: string, state: MessageState, signal: AbortSignal) => {
        const ref = await surface.post(text, state, signal);
        shown(ref.id, text);
        await save();
        return ref;
      },
      edit: async (message: MessageRef, text: string, state: MessageState, signal: AbortSignal) => {
        await surface.edit(message, text, state, signal);
        shown(message.id, text);
        if (this.#now() - savedAt >= SAVE_EVERY_MS) await save();
      },
      ...(surface.showTyping && { showTyping: (signal: AbortSignal) => surface.showTyping?.(signal) ?? Promise.resolve() }),
      ...(surface.finished && { finished: (signal: AbortSignal) => surface.finished?.(signal) ?? Promise.resolve() }),
      ...(surface.overflow && { overflow: () => surface.overflow?.() }),
    };
    return {
      surface: tracked,
      done: async () => {
        if (!this.#turns.delete(turnId)) return;
        await this.#persist().catch((error: unknown) => this.#onError(error));
      },
    };
  }

  /**
   * Marks every answer a previous run of this instance left unfinished:
   * its last message gets `marker` appended (or a new message when it would not
   * fit). Returns how many were marked.
   */
  async recover(reopen: (address: string) => Surface | undefined, marker: string, signal: AbortSignal): Promise<number> {
    const parsed = indexSchema.safeParse(await this.#keyv.get(this.#key));
    if (!parsed.success) return 0;
    let marked = 0;
    for (const turn of Object.values(parsed.data)) {
      const surface = reopen(turn.address);
      const last = turn.messages.at(-1);
      if (!surface || !last) continue;
      const note = surface.format(marker);
      try {
        if (last.text.length + note.length + 2 <= surface.maxMessageLength) {
          await surface.edit({ id: last.id }, `${last.text}\n\n${note}`, 'final', signal);
        } else {
          await surface.edit({ id: last.id }, last.text, 'final', signal);
          await surface.post(note, 'final', signal);
        }
        marked++;
      } catch {
        // The message may be gone or the channel closed to the bot: nothing more to mark there.
      }
    }
    await this.#persist();
    return marked;
  }

  /** Writes this instance's index as the in-memory map has it. */
  #persist(): Promise<void> {
    const write = this.#chain.then(() =>
      this.#turns.size === 0 ? this.#keyv.delete(this.#key) : this.#keyv.set(this.#key, Object.fromEntries(this.#turns)),
    );
    this.#chain = write.catch(() => undefined);
    return write.then(() => undefined);
  }
}
