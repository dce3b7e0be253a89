/**
 * The newest reply chain each person started in a channel (reply mode and `/ask`),
 * so `/reset` in the channel knows which conversation is theirs: a channel holds
 * many chains, and slash commands carry no message to follow back. Kept in the
 * store's settings namespace, so it survives restarts and is shared by instances.
 */
import type Keyv from 'keyv';
import { z } from 'zod';

/** A person's newest chain is forgotten after this long without a new one; the conversation itself stays. */
const TTL_MS = 90 * 24 * 60 * 60 * 1000;

const recordSchema = z.object({ conversationId: z.string() });

export interface ChainOwner {
  readonly guildId: string;
  readonly channelId: string;
  readonly userId: string;
}

export class LatestReplyChains {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  async remember(owner: ChainOwner, conversationId: string): Promise<void> {
    await this.#keyv.set(key(owner), { conversationId }, TTL_MS);
  }

  /** The conversation id of the newest chain `owner` started there, if any. */
  async latest(owner: ChainOwner): Promise<string | undefined> {
    const parsed = recordSchema.safeParse(await this.#keyv.get(key(owner)));
    return parsed.success ? parsed.data.conversationId : undefined;
  }
}

const key = (o: ChainOwner) => `discord:latest-chain:${o.guildId}:${o.channelId}:${o.userId}`;
