/**
 * Slack `/persona`: `/persona` alone shows the persona of the channel (or DM) it
 * is run in, `/persona <text>` sets it, `/persona clear` goes back to the default
 * system prompt. Slack runs slash commands in channels and DMs only, never in
 * threads (platform-limits.md §2e), so a persona here is always the channel's,
 * and every thread in it follows. Changing it is for whoever may change the
 * channel's settings (moderation.ts: workspace admins, SLACK_ADMIN_USERS, anyone
 * in their own DM); the core's PersonaStore refuses an empty one or one over
 * 4,000 characters with the reason.
 */
import type { ConversationCore, ModelTarget } from '../../src/conversation/core.ts';
import type { UserText } from '../../src/user-text.ts';
import { escapeControl, toMrkdwn } from './mrkdwn.ts';
import { readableText } from './readable-text.ts';

/** The reply to a slash command, as Bolt's `ack` takes it. */
export interface CommandReply {
  readonly response_type: 'ephemeral' | 'in_channel';
  readonly text: string;
}

export interface PersonaPlace {
  /** The channel's id for the core (`slack:T:C`). */
  readonly channelId: string;
  /** A DM with the bot: the reply speaks of "this conversation". */
  readonly isDm: boolean;
  readonly mayChange: boolean;
}

const privately = (markdown: string): CommandReply => ({ response_type: 'ephemeral', text: toMrkdwn(markdown) });

export async function personaReply(commandText: string, core: ConversationCore, place: PersonaPlace, texts: UserText): Promise<CommandReply> {
  // Slack sends `&`, `<` and `>` as entities (api.slack.com/docs/formatting: all text in Slack is
  // escaped alike), and mentions as `<@U…|name>` if escaping is on: the persona is stored as people read it.
  const text = readableText(commandText, new Map()).trim();
  const target: ModelTarget = { channelId: place.channelId };
  const where = place.isDm ? 'conversation' : 'channel';
  if (text === '') {
    const persona = await core.personaFor(place.channelId, place.channelId);
    if (persona === undefined) return privately(texts.personaNoneSlack);
    return { response_type: 'ephemeral', text: `${toMrkdwn(texts.personaHere)}\n${quoted(persona)}` };
  }
  if (!place.mayChange) return privately(texts.personaNeedsAdmin);
  if (text.toLowerCase() === 'clear') {
    await core.clearPersona(target);
    return { response_type: 'in_channel', text: toMrkdwn(texts.personaCleared(where)) };
  }
  const change = await core.setPersona(target, text, texts.locale);
  return change.ok ? { response_type: 'in_channel', text: toMrkdwn(texts.personaSet(where)) } : privately(change.userText);
}

/** The persona as people wrote it, quoted line by line; nothing in it can ping anyone. */
function quoted(persona: string): string {
  return persona
    .split('\n')
    .map((line) => `>${escapeControl(line)}`)
    .join('\n');
}
