/**
 * Daily token quotas per person, channel and workspace (a Slack team or Discord
 * server), counted in the store so every instance on one Redis shares them.
 * The core asks before a question goes upstream (`check`) and counts after its
 * answer's usage arrived (`record`): an answer already streaming is never cut,
 * so a day may end a little over a limit, never with a half answer. Every
 * answer is counted, limits or not, for `/usage` (`today`).
 */
import type { QuotaConfig } from '../config.ts';
import type { TurnRequest } from '../conversation/types.ts';
import type { Counters, RankedMember } from '../store/counters.ts';
import type { Usage } from '../upstream/events.ts';
import type { ChatMessage } from '../upstream/request.ts';
import type { Locale } from '../i18n/locale.ts';
import { userTextIn } from '../user-text.ts';
import { quotaDay, type QuotaDay } from './quota-day.ts';
import { spentTokens, type SpentTokens } from './spent-tokens.ts';

export type QuotaScope = 'user' | 'channel' | 'workspace';

/** What people call a workspace: a Discord server, a Slack workspace. */
export type WorkspaceKind = 'server' | 'workspace';

/** From the id the adapter built (`discord:G…` is a server). */
const workspaceKindOf = (workspaceId: string | undefined): WorkspaceKind => (workspaceId?.startsWith('discord:') ? 'server' : 'workspace');

/** Who spends: a person, in a channel, in a workspace (none in DMs and the terminal). Ids as the adapter builds them. */
export interface QuotaSubject {
  readonly userId: string;
  readonly channelId: string;
  readonly workspaceId?: string | undefined;
}

/** A limit reached: the question must not go upstream. */
export interface QuotaRefusal {
  readonly scope: QuotaScope;
  readonly used: number;
  readonly limit: number;
  /** When the counts start again (ms since the epoch): the next midnight in TZ. */
  readonly resetsAt: number;
  /** What the person is told, in their language: which limit, how much was used, when it resets. */
  readonly userText: string;
}

/** Spent today and the limit (0: none). */
export interface Spending {
  readonly used: number;
  readonly limit: number;
}

/** What `/usage` shows. */
export interface UsageToday {
  readonly resetsAt: number;
  readonly user: Spending;
  readonly channel: Spending;
  /** Undefined outside a workspace (a Discord DM). `top` only when asked for (admins). */
  readonly workspace?: Spending & { readonly top?: readonly RankedMember[] | undefined };
}

/** The members of a workspace's ranking shown to its admins. */
export const TOP_USERS = 5;

/** Counters outlive their day by this much, so an instance whose clock runs late still adds to a live key. */
const EXPIRY_GRACE_MS = 3_600_000;

export interface TokenQuotasOptions {
  readonly counters: Counters;
  readonly limits: QuotaConfig;
  /** The IANA zone whose midnight starts a new day (TZ). */
  readonly timeZone: string;
  readonly now?: () => number;
  /** Told of each answer whose tokens were estimated (no usage from the provider), for metrics. */
  readonly onEstimated?: (model: string, tokens: number) => void;
}

export class TokenQuotas {
  readonly #o: TokenQuotasOptions;
  readonly #now: () => number;
  /** The day last worked out, and the instant it was worked out at: it holds until `day.endsAt`. */
  #today: { readonly day: QuotaDay; readonly from: number } | undefined;

  constructor(options: TokenQuotasOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The first limit (the person's, the channel's, the workspace's) this turn's asker has reached today, if any. Rejects with `StoreError`. */
  async check(request: TurnRequest): Promise<QuotaRefusal | undefined> {
    const subject = subjectOf(request);
    const limited = scopesOf(subject).filter((scope) => this.#limit(scope) > 0);
    if (limited.length === 0) return undefined;
    const day = this.#day();
    const used = await this.#o.counters.read(limited.map((scope) => counterKey(day, scope, subject)));
    for (const [i, scope] of limited.entries()) {
      const spent = used[i] ?? 0;
      const limit = this.#limit(scope);
      if (spent >= limit) {
        const reset = { resetsAt: day.endsAt, now: this.#now(), timeZone: this.#o.timeZone };
        const userText = userTextIn(request.locale ?? 'en').quotaReached(scope, workspaceKindOf(subject.workspaceId), spent, limit, reset);
        return { scope, used: spent, limit, resetsAt: day.endsAt, userText };
      }
    }
    return undefined;
  }

  /**
   * Counts one answer against its asker, channel and workspace, and the asker in the
   * workspace's ranking, in one atomic addition. `receivedChars`: reasoning and answer
   * text, for the estimate when `usage` is missing. Rejects with `StoreError`.
   */
  async record(request: TurnRequest, answer: { model: string; usage: Usage | undefined; sent: readonly ChatMessage[]; receivedChars: number }): Promise<SpentTokens> {
    const spent = spentTokens(answer.usage, answer.sent, answer.receivedChars);
    if (spent.estimated) this.#o.onEstimated?.(answer.model, spent.tokens);
    if (spent.tokens <= 0) return spent;
    const subject = subjectOf(request);
    const day = this.#day();
    await this.#o.counters.add({
      counters: scopesOf(subject).map((scope) => counterKey(day, scope, subject)),
      rankings: subject.workspaceId === undefined ? [] : [{ key: rankingKey(day, subject.workspaceId), member: subject.userId }],
      amount: spent.tokens,
      expiresAt: day.endsAt + EXPIRY_GRACE_MS,
    });
    return spent;
  }

  /** Today's spending of a person, their channel and workspace; with the workspace's top users when `withTop`. Rejects with `StoreError`. */
  async today(subject: QuotaSubject, opts: { withTop: boolean }): Promise<UsageToday> {
    const day = this.#day();
    const scopes = scopesOf(subject);
    const [used, top] = await Promise.all([
      this.#o.counters.read(scopes.map((scope) => counterKey(day, scope, subject))),
      opts.withTop && subject.workspaceId !== undefined ? this.#o.counters.top(rankingKey(day, subject.workspaceId), TOP_USERS) : undefined,
    ]);
    const spending = (scope: QuotaScope): Spending => ({ used: used[scopes.indexOf(scope)] ?? 0, limit: this.#limit(scope) });
    return {
      resetsAt: day.endsAt,
      user: spending('user'),
      channel: spending('channel'),
      ...(subject.workspaceId === undefined ? {} : { workspace: { ...spending('workspace'), top } }),
    };
  }

  /**
   * `/usage`'s text for `subject`, in `locale`: with the workspace's top users when `withTop`
   * (admins), named by `nameOf` (the platform's display names). Rejects with `StoreError`.
   */
  async report(subject: QuotaSubject, opts: { withTop: boolean; locale: Locale; nameOf: (userId: string) => Promise<string> }): Promise<string> {
    const today = await this.today(subject, opts);
    const ranked = today.workspace?.top;
    const top = ranked && (await Promise.all(ranked.map(async (entry) => ({ name: await opts.nameOf(entry.member), tokens: entry.amount }))));
    return userTextIn(opts.locale).usageReport({ today, top, workspaceKind: workspaceKindOf(subject.workspaceId), resetsAt: today.resetsAt, now: this.#now(), timeZone: this.#o.timeZone });
  }

  /**
   * Today's quota day. Working it out asks `Intl` for the zone's wall clock several times
   * (about a millisecond), which every turn paid twice; every instant from one already
   * worked out until the next midnight falls in the same day, so it is reused until then.
   */
  #day(): QuotaDay {
    const now = this.#now();
    const today = this.#today;
    if (today && today.from <= now && now < today.day.endsAt) return today.day;
    const day = quotaDay(now, this.#o.timeZone);
    this.#today = { day, from: now };
    return day;
  }

  #limit(scope: QuotaScope): number {
    const { limits } = this.#o;
    if (scope === 'user') return limits.userDailyTokens;
    return scope === 'channel' ? limits.channelDailyTokens : limits.workspaceDailyTokens;
  }
}

function subjectOf(request: TurnRequest): QuotaSubject {
  return { userId: request.author.id, channelId: request.channelId, workspaceId: request.workspaceId };
}

/** The scopes a subject is counted in, most personal first: the order refusals are reported in. */
function scopesOf(subject: QuotaSubject): QuotaScope[] {
  return subject.workspaceId === undefined ? ['user', 'channel'] : ['user', 'channel', 'workspace'];
}

function counterKey(day: QuotaDay, scope: QuotaScope, subject: QuotaSubject): string {
  const id = scope === 'user' ? subject.userId : scope === 'channel' ? subject.channelId : (subject.workspaceId ?? '');
  return `tokens:${day.key}:${scope}:${id}`;
}

const rankingKey = (day: QuotaDay, workspaceId: string) => `tokens:${day.key}:workspace-users:${workspaceId}`;
