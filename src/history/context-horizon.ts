/**
 * When a conversation was last reset, so that messages read again from the
 * platform (a thread the bot did not open) stay forgotten: the history record
 * is deleted on reset, this small record outlives it. Kept in Keyv beside the history.
 */
import type Keyv from 'keyv';
import { z } from 'zod';

const horizonSchema = z.object({ at: z.number() });

export class ContextHorizon {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  /** The time of the conversation's last reset (ms), or undefined if it never was. */
  async get(conversationId: string): Promise<number | undefined> {
    const parsed = horizonSchema.safeParse(await this.#keyv.get(`horizon:${conversationId}`));
    return parsed.success ? parsed.data.at : undefined;
  }

  async set(conversationId: string, at: number): Promise<void> {
    await this.#keyv.set(`horizon:${conversationId}`, { at });
  }
}
