/**
 * Reply-chain conversations: a reply to one of the bot's messages continues the
 * conversation of the chain it belongs to. The chain alternates person → bot →
 * person; its root is the first person's message, or the `/ask` interaction whose
 * reply started it (that message has no reference of its own).
 */
import type { Message } from 'discord.js';
import { isReply } from './message-text.ts';

/** Chains are short in practice; a bound keeps a pathological chain from costing many fetches. */
const MAX_HOPS = 50;

/**
 * The root id of the chain `message` continues, or undefined if it does not
 * reply to one of the bot's messages.
 */
export async function findChainRoot(message: Message, botId: string): Promise<string | undefined> {
  let botMessage = await fetchReference(message);
  if (botMessage?.author.id !== botId) return undefined;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const asked = await fetchReference(botMessage);
    if (!asked) return botMessage.interactionMetadata?.id ?? botMessage.id;
    const earlier = await fetchReference(asked);
    if (earlier?.author.id !== botId) return asked.id;
    botMessage = earlier;
  }
  return botMessage.id;
}

async function fetchReference(message: Message): Promise<Message | undefined> {
  // A forward also carries a reference, to a message that may be anywhere: it is no reply.
  if (!isReply(message)) return undefined;
  return message.fetchReference().catch(() => undefined);
}
