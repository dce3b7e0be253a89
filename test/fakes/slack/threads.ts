/**
 * The fake Slack's threads and people: messages tests put in a thread (people
 * talking before the bot is called, and every message event the harness sends),
 * served by `conversations.replies` with the bot's own posts in the thread, with
 * cursor pagination, the parent first and the rest oldest first (the people are
 * the server's, served by `users.info`). Shapes from docs.slack.dev reference/methods/conversations.replies
 * and users.info; the page size is capped at 1,000 (15 for apps outside the
 * Marketplace, a switch here), and the default page is 10 messages.
 */

export interface FakeThreadMessage {
  readonly channel: string;
  readonly ts: string;
  /** The thread's parent ts; the parent itself has its own ts here. */
  readonly threadTs: string;
  readonly user?: string;
  /** Set for bot messages (the bot's own answers carry both `user` and `bot_id`). */
  readonly botId?: string;
  readonly botName?: string;
  readonly subtype?: string;
  readonly text: string;
  readonly files?: readonly Record<string, unknown>[];
}

type MethodResult = { status: number; body: Record<string, unknown> };

export class FakeSlackThreads {
  readonly messages: FakeThreadMessage[] = [];
  /** Largest `limit` honoured: 1,000 by Slack's docs, 15 for non-Marketplace apps since 2025. */
  maxPageSize = 1000;

  add(message: FakeThreadMessage): void {
    this.messages.push(message);
  }

  /** Whether a message with this ts is already in `channel` (Slack delivers a mention twice). */
  has(channel: string, ts: string): boolean {
    return this.messages.some((m) => m.channel === channel && m.ts === ts);
  }

  /** The newest ts of any message added, in microseconds (0 when none): the bot's posts come after it. */
  latestMicros(): number {
    return this.messages.reduce((latest, m) => Math.max(latest, tsMicros(m.ts)), 0);
  }

  /** `posted`: the bot's own messages, which Slack returns in the thread like anyone's. */
  replies(args: Record<string, unknown>, posted: readonly FakeThreadMessage[] = []): MethodResult {
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    const ts = typeof args.ts === 'string' ? args.ts : undefined;
    if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
    if (!ts) return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
    const thread = [...this.messages, ...posted]
      .filter((m) => m.channel === channel && (m.threadTs === ts || m.ts === ts))
      .sort((a, b) => Number(a.ts) - Number(b.ts));
    if (thread.length === 0) return { status: 200, body: { ok: false, error: 'thread_not_found' } };
    const limit = Math.min(Number(args.limit ?? 10) || 10, this.maxPageSize);
    const start = typeof args.cursor === 'string' && args.cursor !== '' ? Number(Buffer.from(args.cursor, 'base64').toString('utf8').replace('offset:', '')) : 0;
    const page = thread.slice(start, start + limit);
    const more = start + limit < thread.length;
    return {
      status: 200,
      body: {
        ok: true,
        messages: page.map((m) => this.#payload(m, thread)),
        has_more: more,
        response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
      },
    };
  }

  #payload(m: FakeThreadMessage, thread: readonly FakeThreadMessage[]): Record<string, unknown> {
    const parent = m.ts === m.threadTs;
    return {
      type: 'message',
      ts: m.ts,
      thread_ts: m.threadTs,
      text: m.text,
      ...(m.user ? { user: m.user } : {}),
      ...(m.botId ? { bot_id: m.botId, bot_profile: { id: m.botId, name: m.botName ?? 'bot' } } : {}),
      ...(m.subtype ? { subtype: m.subtype } : {}),
      ...(m.files ? { files: m.files } : {}),
      ...(parent
        ? { reply_count: thread.length - 1, reply_users_count: new Set(thread.slice(1).map((r) => r.user)).size, latest_reply: thread.at(-1)?.ts }
        : { parent_user_id: thread[0]?.user }),
    };
  }
}

/** A Slack ts (`1800000000.000100`: seconds and microseconds) as an integer of microseconds. */
export function tsMicros(ts: string): number {
  const [seconds = '0', micros = '0'] = ts.split('.');
  return Number(seconds) * 1_000_000 + Number(micros.padEnd(6, '0').slice(0, 6));
}

export function tsOfMicros(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}
