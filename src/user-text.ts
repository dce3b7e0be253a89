/**
 * Every sentence a chat user reads from the bot, in one place, in their language:
 * `userTextIn(locale)` gives one locale's texts. The sentences themselves are the
 * catalogs' (src/i18n/en.ts, zh-TW.ts, zh-CN.ts); this file gives each a typed
 * name: a message without values is a string, one with values a function taking
 * what the caller has (a usage, a quota's facts) and choosing the message. Lists,
 * numbers and times are formatted for the locale. Adapters render these; nothing
 * else writes apologies. Markdown (the core's markup).
 */
import type { SuggestedPrompt } from './config.ts';
import type { RegenerateOutcome } from './conversation/types.ts';
import type { AttachmentReason } from './errors/attachment-error.ts';
import { type Locale, LOCALES } from './i18n/locale.ts';
import { isFixed, MESSAGE_KEYS, t, type MessageKey, type MessageValues } from './i18n/messages.ts';
import type { QuotaScope, UsageToday, WorkspaceKind } from './quota/token-quotas.ts';
import type { UpstreamErrorKind } from './upstream/errors.ts';

export type { Locale } from './i18n/locale.ts';

/** When a quota resets, as the people of TZ read it and as a countdown for everyone else. */
export interface ResetTime {
  readonly resetsAt: number;
  readonly now: number;
  readonly timeZone: string;
}

/** What `/usage` shows: `top` holds names (only for admins), the rest comes from `UsageToday`. */
export interface UsageReport extends ResetTime {
  readonly today: UsageToday;
  readonly workspaceKind: WorkspaceKind;
  readonly top?: readonly { readonly name: string; readonly tokens: number }[] | undefined;
}

/** The Discord permissions the bot names to people (Discord's interface shows them in their language). */
export type PermissionName = 'manage-messages' | 'manage-channels' | 'send-messages' | 'send-messages-in-threads' | 'create-public-threads';

const PERMISSION_KEYS: Record<PermissionName, MessageKey> = {
  'manage-messages': 'permissionManageMessages',
  'manage-channels': 'permissionManageChannels',
  'send-messages': 'permissionSendMessages',
  'send-messages-in-threads': 'permissionSendMessagesInThreads',
  'create-public-threads': 'permissionCreatePublicThreads',
};

const UPSTREAM_KEYS: Record<Exclude<UpstreamErrorKind, 'bad-request' | 'not-implemented'>, MessageKey> = {
  unauthorized: 'upstreamUnauthorized',
  'rate-limited': 'upstreamRateLimited',
  unavailable: 'upstreamUnavailable',
  'broken-stream': 'upstreamBrokenStream',
  timeout: 'upstreamTimeout',
};

/** The messages that take no values: each one string per locale. */
type FixedKey = { [K in MessageKey]: keyof MessageValues<K> extends never ? K : never }[MessageKey];
type FixedTexts = { readonly [K in FixedKey]: string };

/** The two faces of the vote buttons: the same in every language. */
const FEEDBACK_FACES = { up: '👍', down: '👎' } as const;

/** The texts of one locale. */
function textsOf(locale: Locale) {
  const fixed = Object.fromEntries(MESSAGE_KEYS.filter(isFixed).map((key) => [key, t(locale, key as FixedKey)])) as FixedTexts;
  const list = (items: readonly string[]) => new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
  const permission = (name: PermissionName) => t(locale, PERMISSION_KEYS[name] as FixedKey);
  /** `5 h 20 min`, `20 min`, `less than a minute`: how long until a reset. */
  const duration = (ms: number) => {
    const total = Math.floor(ms / 60_000);
    const [hours, minutes] = [Math.floor(total / 60), total % 60];
    if (total < 1) return fixed.durationUnderAMinute;
    if (hours === 0) return t(locale, 'durationMinutes', { minutes });
    return minutes === 0 ? t(locale, 'durationHours', { hours }) : t(locale, 'durationHoursMinutes', { hours, minutes });
  };
  /** `14:05 (Europe/Berlin)`, 24-hour, in TZ. */
  const clock = (at: number, zone: string) =>
    t(locale, 'clockTime', { time: new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at), zone });
  const reset = (r: ResetTime) => ({ at: clock(r.resetsAt, r.timeZone), wait: duration(r.resetsAt - r.now) });
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

  const texts = {
    ...fixed,
    locale,
    /** Shown while the model reasons and nothing is written yet; `heading` is its latest bold heading. */
    thinking: (heading: string | undefined) => (heading ? t(locale, 'thinkingHeading', { heading }) : fixed.thinkingStatus),
    finishedEarly: (reason: string) => t(locale, 'finishedEarly', { reason }),
    /** Text shown for an upstream failure of each kind, with the provider's trace id when it gave one. */
    upstreamError(kind: UpstreamErrorKind, facts: { model: string; traceId: string | undefined; detail?: string | undefined }): string {
      const { model, detail } = facts;
      let text: string;
      if (kind === 'bad-request') text = detail ? t(locale, 'upstreamBadRequestDetail', { detail }) : fixed.upstreamBadRequest;
      else if (kind === 'not-implemented') text = detail ? t(locale, 'upstreamNotImplementedDetail', { model, detail }) : t(locale, 'upstreamNotImplemented', { model });
      else text = t(locale, UPSTREAM_KEYS[kind] as FixedKey);
      return facts.traceId ? t(locale, 'withTraceId', { text, traceId: facts.traceId }) : text;
    },
    usageFooter: (model: string, usage: { promptTokens: number; completionTokens: number; reasoningTokens: number }) =>
      t(locale, 'usageFooter', { model, ...usage }),
    /** A question not sent upstream because a daily token limit was reached. */
    quotaReached: (scope: QuotaScope, workspace: WorkspaceKind, used: number, limit: number, at: ResetTime) =>
      t(locale, 'quotaReached', { scope: scope === 'workspace' ? workspace : scope, used, limit, ...reset(at) }),
    /** `/usage`: today's tokens of the person, and of the channel and workspace where limits or admins make them matter. */
    usageReport(report: UsageReport): string {
      const { user, channel, workspace } = report.today;
      const place = report.workspaceKind;
      const lines = [user.limit > 0 ? t(locale, 'usageYouLimited', { used: user.used, limit: user.limit }) : t(locale, 'usageYouUnlimited', { used: user.used })];
      if (channel.limit > 0) lines.push(t(locale, 'usageChannel', { used: channel.used, limit: channel.limit }));
      if (workspace && (workspace.limit > 0 || report.top)) {
        lines.push(
          workspace.limit > 0
            ? t(locale, 'usageWorkspaceLimited', { place, used: workspace.used, limit: workspace.limit })
            : t(locale, 'usageWorkspaceUnlimited', { place, used: workspace.used }),
        );
      }
      lines.push(t(locale, 'usageResets', reset(report)));
      // The ranking last, after a blank line: Markdown would read a line after a list as part of its last item.
      if (report.top) {
        lines.push('');
        if (report.top.length === 0) lines.push(t(locale, 'usageNobody', { place }));
        else {
          lines.push(t(locale, 'usageTopTitle', { place }));
          lines.push(...report.top.map((entry, i) => t(locale, 'usageTopEntry', { rank: String(i + 1), name: entry.name, tokens: entry.tokens })));
        }
      }
      return lines.join('\n');
    },
    unknownModel: (model: string, models: readonly string[]) => t(locale, 'unknownModel', { model, models: list(models.map((m) => `\`${m}\``)) }),
    modelSetForConversation: (model: string) => t(locale, 'modelSetForConversation', { model }),
    modelSetForChannel: (model: string) => t(locale, 'modelSetForChannel', { model }),
    modelList: (models: readonly string[], current: string) =>
      t(locale, 'modelList', { models: models.map((model) => t(locale, model === current ? 'modelListCurrentItem' : 'modelListItem', { model })).join('\n') }),
    /** Added under `/model`'s list when a persona applies. */
    modelListPersona: (persona: string) => t(locale, 'modelListPersona', { persona: cut(persona, 200) }),
    modelPickerCurrent: (model: string) => t(locale, 'modelPickerCurrent', { model }),
    /** Someone pressed Stop or Regenerate, or asked to reset a conversation, that another person started. */
    onlyAskerMay: (action: 'stop' | 'reset' | 'regenerate', moderators: string) => t(locale, 'onlyAskerMay', { action, moderators }),
    /** Who may act on anyone's answer, per platform (for `onlyAskerMay`). */
    answerModerators: { discord: t(locale, 'answerModeratorsDiscord', { permission: permission('manage-messages') }), slack: fixed.answerModeratorsSlack },
    /** A Discord permission as Discord's own interface names it in this language. */
    permissionName: permission,
    missingPermission: (name: PermissionName) => t(locale, 'missingPermission', { permission: permission(name) }),
    /** A member without the permission tried to change a channel's default model. */
    needsPermission: (name: PermissionName) => t(locale, 'needsPermission', { permission: permission(name) }),
    personaNeedsPermission: (name: PermissionName) => t(locale, 'personaNeedsPermission', { permission: permission(name) }),
    /** `⚠️ I could not use X: <reason>.`, the reason from `attachmentReason` or one of its parts. */
    attachmentSkipped: (name: string, reason: string) => t(locale, 'attachmentSkipped', { name, reason }),
    attachmentTooLarge: (limitMb: number) => t(locale, 'attachmentTooLarge', { limitMb }),
    attachmentUnsupported: (contentType: string | undefined) =>
      contentType === undefined ? fixed.attachmentUnsupportedUnknown : t(locale, 'attachmentUnsupported', { contentType }),
    documentBudgetSpent: (maxChars: number) => t(locale, 'documentBudgetSpent', { maxChars }),
    attachmentMissingScope: (scope: string) => t(locale, 'attachmentMissingScope', { scope }),
    attachmentNotOnPlatform: (platform: string) => t(locale, 'attachmentNotOnPlatform', { platform }),
    /** Why an attachment was not used, as the end of `attachmentSkipped`. */
    attachmentReason(reason: AttachmentReason): string {
      switch (reason.kind) {
        case 'too-large':
          return texts.attachmentTooLarge(reason.limitMb);
        case 'unsupported':
          return texts.attachmentUnsupported(reason.contentType);
        case 'budget-spent':
          return texts.documentBudgetSpent(reason.maxChars);
        case 'unreachable':
          return reason.status === undefined ? fixed.attachmentUnreachable : t(locale, 'attachmentUnreachableStatus', { status: String(reason.status) });
        case 'missing-scope':
          return texts.attachmentMissingScope(reason.scope);
        case 'not-on-platform':
          return texts.attachmentNotOnPlatform(reason.platform);
        case 'not-text':
          return fixed.documentNotText;
        case 'pdf-no-text':
          return fixed.pdfNoText;
        case 'pdf-encrypted':
          return fixed.pdfEncrypted;
        case 'pdf-invalid':
          return fixed.pdfInvalid;
        case 'unreadable':
          return fixed.attachmentUnreadable;
      }
    },
    /** A document read only in part (DOCUMENT_MAX_CHARS, or the file's own size). */
    documentCut: (name: string) => t(locale, 'documentCut', { name }),
    /** Files left out because the message's files together passed ATTACHMENT_TOTAL_MAX_MB. */
    attachmentsOverTotal: (names: readonly string[], limitMb: number) =>
      t(locale, 'attachmentsOverTotal', { names: list(names.map((name) => t(locale, 'attachmentName', { name }))), limitMb }),
    earlierUnreadable: (failure: 'forbidden' | 'unavailable') => (failure === 'forbidden' ? fixed.earlierForbidden : fixed.earlierUnavailable),
    /** The 👍/👎 buttons under a finished answer: their faces, and what a screen reader says (Slack). */
    feedbackButtons: FEEDBACK_FACES,
    feedbackLabels: { up: fixed.feedbackLabelUp, down: fixed.feedbackLabelDown },
    /** Below the previous answer, put back because its regeneration failed or wrote nothing; `why` is the error. */
    regenerateKeptPrevious: (why: string) => (why ? t(locale, 'previousAnswerKeptWhy', { why }) : fixed.previousAnswerKept),
    /** Why a Regenerate press did nothing, told privately to the person who pressed it. */
    regenerateRefused: {
      'not-newest': fixed.regenerateNotNewest,
      unknown: fixed.regenerateUnknown,
      unchanged: fixed.regenerateNothing,
      'too-late': fixed.regenerateNothing,
      busy: fixed.regenerateBusy,
      'store-unavailable': fixed.regenerateStoreUnavailable,
      failed: fixed.internalError,
    },
    /** What the person who pressed Regenerate is told privately when nothing was written; a regeneration that ran speaks for itself. */
    regenerateRefusal: (outcome: RegenerateOutcome): string | undefined =>
      outcome.type === 'regenerated' ? undefined : texts.regenerateRefused[outcome.type],
    /** An edited question the answer did not follow, told privately once (Slack). */
    editNotFollowed: (why: 'not-newest' | 'too-late', minutes: number) =>
      why === 'not-newest' ? fixed.editNotNewest : minutes <= 0 ? fixed.editNeverFollowed : t(locale, 'editTooLate', { minutes }),
    /** A 👍/👎 acknowledged privately to the person who pressed it. */
    feedbackRecorded(rating: 'up' | 'down', change: 'new' | 'changed' | 'same'): string {
      const face = FEEDBACK_FACES[rating];
      if (change === 'changed') return t(locale, 'feedbackChanged', { face });
      if (change === 'same') return t(locale, 'feedbackSame', { face });
      return rating === 'up' ? fixed.feedbackThanksUp : fixed.feedbackThanksDown;
    },
    askAboutWhere: (where: string) => t(locale, 'askAboutWhere', { where }),
    askAboutInDm: (link: string) => t(locale, 'askAboutInDm', { link }),
    askAboutOpener: (asker: string) => t(locale, 'askAboutOpener', { asker }),
    /** Slack: a DM's opening line, when the bot may not write where the message is; `text` is the message's, cut short. */
    askAboutOpenerDm: (author: string, text: string) =>
      t(locale, 'askAboutOpenerDm', { author, quote: text.split('\n').map((line) => `> ${line}`).join('\n') }),
    /** Slack assistant threads: the status line while the model thinks; Slack shows it after the app's name. */
    assistantThinking: (heading: string | undefined) =>
      heading ? t(locale, 'assistantStatusHeading', { heading: heading.slice(0, 80) }) : fixed.assistantStatus,
    /** Slack: the suggested prompts when SLACK_SUGGESTED_PROMPTS is not set. */
    suggestedPrompts: [
      { title: fixed.suggestedPrompt1Title, message: fixed.suggestedPrompt1 },
      { title: fixed.suggestedPrompt2Title, message: fixed.suggestedPrompt2 },
      { title: fixed.suggestedPrompt3Title, message: fixed.suggestedPrompt3 },
      { title: fixed.suggestedPrompt4Title, message: fixed.suggestedPrompt4 },
    ] satisfies SuggestedPrompt[] as readonly SuggestedPrompt[],
    /** The persona (`/persona`) that replaces the system prompt where it was set. */
    personaSet: (where: 'channel' | 'thread' | 'conversation') => t(locale, 'personaSet', { where }),
    personaCleared: (where: 'channel' | 'thread' | 'conversation') => t(locale, 'personaCleared', { where }),
    /** Cut to fit a Discord reply (2,000 characters) with room to spare. */
    personaShown: (persona: string) => t(locale, 'personaShown', { persona: cut(persona, 1800) }),
    personaTooLong: (length: number, max: number) => t(locale, 'personaTooLong', { length, max }),
  };
  return texts;
}

export type UserText = ReturnType<typeof textsOf>;

/** A message without values and a function of the same name would hide each other: none may share a name. */
type Shadowed = { [K in FixedKey]: UserText[K] extends string ? never : K }[FixedKey];
const noneShadowed: [Shadowed] extends [never] ? true : never = true;
void noneShadowed;

const TEXTS: { readonly [L in Locale]: UserText } = Object.freeze(Object.fromEntries(LOCALES.map((locale) => [locale, textsOf(locale)])) as { [L in Locale]: UserText });

/** Every sentence a person reads, in `locale`. */
export function userTextIn(locale: Locale): UserText {
  return TEXTS[locale];
}
