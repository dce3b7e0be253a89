/**
 * Slack message events, parsed once at the edge, and what the bot makes of them:
 * whether to answer, in which thread, with what text and files.
 */
import { z } from 'zod';
import type { AttachmentRef } from '../../src/conversation/types.ts';

export const fileSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private_download: z.string().nullish(),
  url_private: z.string().nullish(),
});

/** The fields of `app_mention` and `message` events the bot reads. */
const messageEventSchema = z.object({
  type: z.enum(['app_mention', 'message']),
  subtype: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  team: z.string().optional(),
  text: z.string().optional().default(''),
  ts: z.string(),
  thread_ts: z.string().optional(),
  files: z.array(fileSchema).optional().default([]),
});

export interface SlackMessage {
  readonly kind: 'app_mention' | 'message';
  readonly teamId: string;
  readonly channel: string;
  readonly channelType: string | undefined;
  readonly user: string;
  /** The user's text with the bot's mention taken out and Slack's escapes undone. */
  readonly text: string;
  readonly ts: string;
  /** The thread the answer goes to: the message's thread, or the message itself. */
  readonly threadTs: string;
  /** True if the message sits in an existing thread (not the thread's first message). */
  readonly inThread: boolean;
  readonly mentionsBot: boolean;
  readonly attachments: AttachmentRef[];
}

/** Subtypes that are a person writing: plain, with files, or "also send to channel". */
const USER_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

export type ParseResult = { readonly type: 'message'; readonly message: SlackMessage } | { readonly type: 'ignore'; readonly reason: string };

/** Reads an event; ignores bots (ours too), edits, deletions and other system messages. */
export function parseMessageEvent(event: unknown, teamIdOfBody: string | undefined, bot: { userId: string; botId: string | undefined }): ParseResult {
  const parsed = messageEventSchema.safeParse(event);
  if (!parsed.success) return { type: 'ignore', reason: 'unexpected shape' };
  const e = parsed.data;
  if (e.bot_id !== undefined || e.subtype === 'bot_message') return { type: 'ignore', reason: 'from a bot' };
  if (e.subtype !== undefined && !USER_SUBTYPES.has(e.subtype)) return { type: 'ignore', reason: `subtype ${e.subtype}` };
  if (!e.user || e.user === bot.userId) return { type: 'ignore', reason: 'from the bot' };
  const teamId = teamIdOfBody ?? e.team;
  if (!teamId) return { type: 'ignore', reason: 'no team' };
  const mention = `<@${bot.userId}>`;
  return {
    type: 'message',
    message: {
      kind: e.type,
      teamId,
      channel: e.channel,
      channelType: e.channel_type,
      user: e.user,
      text: unescapeSlack(e.text.replaceAll(mention, ' ').replace(/\s+/g, ' ').trim()),
      ts: e.ts,
      threadTs: e.thread_ts ?? e.ts,
      inThread: e.thread_ts !== undefined && e.thread_ts !== e.ts,
      mentionsBot: e.type === 'app_mention' || e.text.includes(mention),
      attachments: e.files.map(attachmentOfFile),
    },
  };
}

/** A Slack file object (on an event, or in conversations.replies) as the core's reference. */
export function attachmentOfFile(f: z.infer<typeof fileSchema>): AttachmentRef {
  return {
    ref: f.id,
    name: f.name ?? f.title ?? f.id,
    contentType: f.mimetype ?? undefined,
    size: f.size ?? undefined,
    url: f.url_private_download ?? f.url_private ?? undefined,
  };
}

/** Slack sends `&`, `<`, `>` in message text as entities. */
function unescapeSlack(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

export const conversationIdOf = (m: { teamId: string; channel: string; threadTs: string }) => `slack:${m.teamId}:${m.channel}:${m.threadTs}`;
export const channelIdOf = (m: { teamId: string; channel: string }) => `slack:${m.teamId}:${m.channel}`;
/** The workspace, for its daily token quota and `/usage`'s top users. */
export const workspaceIdOf = (m: { teamId: string }) => `slack:${m.teamId}`;

/** The allowlists of SLACK_ALLOWED_*; an empty list allows everyone. */
export interface Allowed {
  readonly teams: readonly string[];
  readonly channels: readonly string[];
  readonly users: readonly string[];
}

export function isAllowed(allowed: Allowed, where: { teamId: string; channel: string; user: string }): boolean {
  const ok = (list: readonly string[], id: string) => list.length === 0 || list.includes(id);
  return ok(allowed.teams, where.teamId) && ok(allowed.channels, where.channel) && ok(allowed.users, where.user);
}
