/**
 * Personas: a system prompt set for one channel (`/persona` there) or one
 * conversation (a Discord thread, a DM), in Keyv beside the model choices. A
 * conversation's own persona wins over its channel's.
 */
import type Keyv from 'keyv';
import { z } from 'zod';

/** The longest persona taken: a system prompt, not a document (the cap; about 1,000 tokens). */
export const PERSONA_MAX_CHARS = 4000;

const personaSchema = z.object({ text: z.string() });

/** A persona stored (trimmed), or why not: empty, or longer than PERSONA_MAX_CHARS (`length` characters). */
export type StoredPersona =
  | { readonly ok: true; readonly persona: string }
  | { readonly ok: false; readonly problem: 'empty' }
  | { readonly ok: false; readonly problem: 'too-long'; readonly length: number };

/** A conversation's own setting, or a channel's (the same shape as the core's `ModelTarget`). */
export type PersonaTarget = { readonly conversationId: string } | { readonly channelId: string };

const keyOf = (target: PersonaTarget) =>
  'conversationId' in target ? `persona:conversation:${target.conversationId}` : `persona:channel:${target.channelId}`;

export class PersonaStore {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  /** The persona a turn of this conversation uses: its own, else its channel's; undefined for the default prompt. */
  async resolve(conversationId: string, channelId: string): Promise<string | undefined> {
    return (await this.get({ conversationId })) ?? (await this.get({ channelId }));
  }

  async get(target: PersonaTarget): Promise<string | undefined> {
    const parsed = personaSchema.safeParse(await this.#keyv.get(keyOf(target)));
    return parsed.success ? parsed.data.text : undefined;
  }

  /** Stores a persona, trimmed; refuses an empty one or one over PERSONA_MAX_CHARS with the reason. */
  async set(target: PersonaTarget, text: string): Promise<StoredPersona> {
    const persona = text.trim();
    if (persona === '') return { ok: false, problem: 'empty' };
    if (persona.length > PERSONA_MAX_CHARS) return { ok: false, problem: 'too-long', length: persona.length };
    await this.#keyv.set(keyOf(target), { text: persona });
    return { ok: true, persona };
  }

  async clear(target: PersonaTarget): Promise<void> {
    await this.#keyv.delete(keyOf(target));
  }
}
