/**
 * Which model a conversation uses: its own choice, else its channel's default,
 * else the configured default. Kept in Keyv beside the history.
 */
import type Keyv from 'keyv';
import { z } from 'zod';

const choiceSchema = z.object({ model: z.string() });

export class ModelChoiceStore {
  readonly #keyv: Keyv;
  readonly #models: readonly string[];
  readonly #defaultModel: string;

  constructor(keyv: Keyv, models: readonly string[], defaultModel: string) {
    this.#keyv = keyv;
    this.#models = models;
    this.#defaultModel = defaultModel;
  }

  /** The conversation's model; a stored choice no longer on offer falls back to the next level. */
  async resolve(conversationId: string, channelId: string): Promise<string> {
    for (const k of [`model:conversation:${conversationId}`, `model:channel:${channelId}`]) {
      const parsed = choiceSchema.safeParse(await this.#keyv.get(k));
      if (parsed.success && this.#models.includes(parsed.data.model)) return parsed.data.model;
    }
    return this.#defaultModel;
  }

  async setForConversation(conversationId: string, model: string): Promise<void> {
    await this.#keyv.set(`model:conversation:${conversationId}`, { model });
  }

  async setForChannel(channelId: string, model: string): Promise<void> {
    await this.#keyv.set(`model:channel:${channelId}`, { model });
  }
}
