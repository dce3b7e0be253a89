/**
 * The bot's settings: the environment (and `.env`), validated once at start-up
 * into one typed object. A bad value names the variable and never echoes it,
 * because many of these are secrets.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { LOCALE_SETTINGS, type LocaleSetting } from './i18n/locale.ts';

const DEFAULT_MODELS = 'gemini-2.5-pro,gemini-3.0-pro,gemini-3.1-pro';

/** Blank values count as unset, as they do in most `.env` tooling. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((s) => s === 'true' || s === '1' || s === 'yes');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((s) => s.replace(/\/+$/, ''));

/** True for a zone `Intl` knows (IANA names like `Europe/Berlin`, and `UTC`). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * SLACK_SUGGESTED_PROMPTS: `Label|Question` pairs separated by `;;` (a pair without `|` uses
 * its text for both). Slack shows at most four (assistant.threads.setSuggestedPrompts); a
 * label becomes a button's text (75 characters at most) and a question its value (2,000).
 */
const suggestedPrompts = z
  .string()
  .transform((s) =>
    s
      .split(';;')
      .map((pair) => pair.trim())
      .filter((pair) => pair !== '')
      .map((pair) => {
        const at = pair.indexOf('|');
        return at < 0 ? { title: pair, message: pair } : { title: pair.slice(0, at).trim(), message: pair.slice(at + 1).trim() };
      }),
  )
  .pipe(
    z
      .array(
        z.object({
          title: z.string().min(1, 'each prompt needs a label before its |').max(75, 'a label may be 75 characters at most'),
          message: z.string().min(1, 'each prompt needs a question after its |').max(2000, 'a question may be 2,000 characters at most'),
        }),
      )
      .min(1, 'must hold at least one Label|Question pair')
      .max(4, 'Slack shows at most four prompts'),
  );

const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive');

/** A daily token limit: a whole number, 0 for none. */
const tokenLimit = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 (no limit) or more');

const envSchema = z.object({
  LLM_API_BASE: optional(httpUrl),
  LLM_API_KEY: optional(z.string()),
  LLM_MODELS: optional(list.pipe(z.array(z.string()).min(1, 'must name at least one model'))),
  LLM_DEFAULT_MODEL: optional(z.string()),
  LLM_TIMEOUT_MS: optional(positiveInt),
  LLM_IDLE_TIMEOUT_MS: optional(positiveInt),
  LLM_MAX_RETRIES: optional(z.coerce.number().int().min(0).max(10)),
  SYSTEM_PROMPT: optional(z.string()),
  HISTORY_MAX_MESSAGES: optional(positiveInt),
  HISTORY_MAX_CHARS: optional(positiveInt),
  HISTORY_TTL_DAYS: optional(z.coerce.number({ error: 'must be a number' }).positive('must be positive')),
  ATTACHMENT_MAX_MB: optional(z.coerce.number().positive('must be positive')),
  ATTACHMENT_TOTAL_MAX_MB: optional(z.coerce.number().positive('must be positive')),
  DOCUMENT_MAX_CHARS: optional(positiveInt),
  CONTEXT_MAX_MESSAGES: optional(positiveInt),
  TZ: optional(z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')),
  TURN_QUEUE_MAX: optional(z.coerce.number().int().min(0)),
  EDIT_FOLLOW_MINUTES: optional(z.coerce.number({ error: 'must be a number' }).min(0, 'must be 0 or more')),
  REASONING_DISPLAY: optional(z.enum(['off', 'status', 'full'])),
  USAGE_FOOTER: optional(bool),
  BOT_LOCALE: optional(z.enum(LOCALE_SETTINGS as [LocaleSetting, ...LocaleSetting[]], { error: 'must be auto, en, zh-TW or zh-CN' })),
  QUOTA_USER_DAILY_TOKENS: optional(tokenLimit),
  QUOTA_CHANNEL_DAILY_TOKENS: optional(tokenLimit),
  QUOTA_WORKSPACE_DAILY_TOKENS: optional(tokenLimit),
  STORE_URL: optional(z.string().regex(/^(sqlite|redis|rediss):\/\//, 'must start with sqlite://, redis:// or rediss://')),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  LOG_FILE: optional(z.string()),
  HEALTH_PORT: optional(positiveInt),
  INSTANCE_ID: optional(z.string().regex(/^[\w.-]+$/, 'may hold only letters, digits, _, . and -')),

  DISCORD_TOKEN: optional(z.string()),
  DISCORD_APP_ID: optional(z.string().regex(/^\d+$/, 'must be a numeric id')),
  DISCORD_GUILD_ID: optional(z.string().regex(/^\d+$/, 'must be a numeric id')),
  DISCORD_API_BASE: optional(httpUrl),
  DISCORD_REPLY_MODE: optional(z.enum(['thread', 'reply'])),
  DISCORD_FOLLOWUPS_WITHOUT_MENTION: optional(bool),
  DISCORD_CHANNEL_MODEL_PERMISSION: optional(z.enum(['ManageChannels', 'everyone'])),
  DISCORD_ALLOWED_GUILDS: optional(list),
  DISCORD_ALLOWED_CHANNELS: optional(list),
  DISCORD_ALLOWED_ROLES: optional(list),
  DISCORD_ALLOWED_USERS: optional(list),
  SHARD_COUNT: optional(positiveInt),
  SHARD_ID: optional(z.coerce.number().int().min(0)),

  SLACK_BOT_TOKEN: optional(z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)')),
  SLACK_SIGNING_SECRET: optional(z.string()),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)')),
  SLACK_API_URL: optional(httpUrl),
  SLACK_STREAMING: optional(z.enum(['native', 'update'])),
  SLACK_FOLLOWUPS_WITHOUT_MENTION: optional(bool),
  SLACK_ALLOWED_TEAMS: optional(list),
  SLACK_ALLOWED_CHANNELS: optional(list),
  SLACK_ALLOWED_USERS: optional(list),
  SLACK_ADMIN_USERS: optional(list),
  SLACK_AI_EXPERIENCE: optional(z.enum(['auto', 'agent', 'assistant', 'off'])),
  SLACK_SUGGESTED_PROMPTS: optional(suggestedPrompts),
  PORT: optional(positiveInt),
});

/** Every environment variable the bot reads (`.env.example` documents each). */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

export type ReasoningDisplay = 'off' | 'status' | 'full';

export interface LlmConfig {
  readonly apiBase: string;
  readonly apiKey: string | undefined;
  readonly models: readonly string[];
  readonly defaultModel: string;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxRetries: number;
}

export interface DiscordConfig {
  readonly token: string;
  readonly appId: string | undefined;
  readonly guildId: string | undefined;
  readonly apiBase: string | undefined;
  readonly replyMode: 'thread' | 'reply';
  readonly followupsWithoutMention: boolean;
  readonly channelModelPermission: 'ManageChannels' | 'everyone';
  readonly allowed: {
    readonly guilds: readonly string[];
    readonly channels: readonly string[];
    readonly roles: readonly string[];
    readonly users: readonly string[];
  };
  readonly shardCount: number | undefined;
  readonly shardId: number | undefined;
}

export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret: string | undefined;
  readonly appToken: string | undefined;
  readonly apiUrl: string | undefined;
  readonly port: number;
  readonly streaming: 'native' | 'update';
  readonly followupsWithoutMention: boolean;
  readonly allowed: {
    readonly teams: readonly string[];
    readonly channels: readonly string[];
    readonly users: readonly string[];
  };
  /** Who may stop or reset anyone's answers and set channel defaults, besides workspace admins and owners. */
  readonly adminUsers: readonly string[];
  /**
   * Slack's surface for AI apps to use (adapters/slack/ai-surface.ts): `auto` takes the agent
   * experience when the token holds `assistant:write`, and the assistant experience once
   * Slack sends an assistant thread; `off` keeps to plain threads.
   */
  readonly aiExperience: 'auto' | 'agent' | 'assistant' | 'off';
  /** Offered in new assistant threads and under the agent's greeting (SLACK_SUGGESTED_PROMPTS); undefined: the bot's own, in each person's language. */
  readonly suggestedPrompts: readonly SuggestedPrompt[] | undefined;
}

/** A prompt Slack offers to click: its label and the question it asks. */
export interface SuggestedPrompt {
  readonly title: string;
  readonly message: string;
}

/** Tokens that may be spent per day (midnight to midnight in TZ); 0 means no limit. */
export interface QuotaConfig {
  /** By one person (QUOTA_USER_DAILY_TOKENS). */
  readonly userDailyTokens: number;
  /** In one channel, its threads included (QUOTA_CHANNEL_DAILY_TOKENS). */
  readonly channelDailyTokens: number;
  /** In one Slack workspace or Discord server (QUOTA_WORKSPACE_DAILY_TOKENS). */
  readonly workspaceDailyTokens: number;
}

export interface Config {
  readonly llm: LlmConfig;
  readonly systemPrompt: string;
  /** `ttlMs`: how long a conversation (and a record of an answer in progress) is kept after its last use. */
  readonly history: { readonly maxMessages: number; readonly maxChars: number; readonly ttlMs: number };
  readonly attachmentMaxBytes: number;
  /** All attachments of one turn together (ATTACHMENT_TOTAL_MAX_MB). */
  readonly attachmentTotalMaxBytes: number;
  /** Characters of document text one turn sends (DOCUMENT_MAX_CHARS). */
  readonly documentMaxChars: number;
  /** Most earlier messages read from the platform per turn (CONTEXT_MAX_MESSAGES). */
  readonly contextMaxMessages: number;
  /** The time zone of the system prompt's `{date}` and `{time}` (TZ). */
  readonly timeZone: string;
  readonly turnQueueMax: number;
  /** How long after asking an edited question is answered again (EDIT_FOLLOW_MINUTES); 0 never. */
  readonly editFollowMs: number;
  readonly reasoningDisplay: ReasoningDisplay;
  readonly usageFooter: boolean;
  /** BOT_LOCALE: `auto` follows each person's platform locale; a locale fixes the language for everyone. */
  readonly locale: LocaleSetting;
  readonly quotas: QuotaConfig;
  readonly storeUrl: string;
  readonly logLevel: string;
  /** Where logs go; undefined: `npm start` writes to stdout, `npm run chat` to `./data/chat.log`. */
  readonly logFile: string | undefined;
  readonly healthPort: number | undefined;
  /** Names this instance's records in a shared store (answers in progress); stable across its restarts. */
  readonly instanceId: string;
  readonly discord: DiscordConfig | undefined;
  readonly slack: SlackConfig | undefined;
  /** Why each platform is not configured, for the start-up message. */
  readonly missing: { readonly discord: readonly string[]; readonly slack: readonly string[] };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Placeholders (`{date}`, …) are filled per turn (src/conversation/system-prompt.ts). */
export const DEFAULT_SYSTEM_PROMPT =
  'You are {bot_name}, a helpful assistant built on Google Gemini, talking with people on {platform} in {channel}. ' +
  'Today is {date}; the time is {time}. When several people talk, each of their messages begins with the name of ' +
  'who wrote it in brackets; do not begin your answers that way. Answer in the language of the question, ' +
  'concisely, and use Markdown where it helps.';

/** Validates the environment. Never throws for a bad value: returns the problems, one line each. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return { ok: false, problems };
  }
  const e = parsed.data;
  const problems: string[] = [];

  const models = e.LLM_MODELS ?? DEFAULT_MODELS.split(',');
  const defaultModel = e.LLM_DEFAULT_MODEL ?? models[0] ?? 'gemini-2.5-pro';
  if (!models.includes(defaultModel)) {
    problems.push(`LLM_DEFAULT_MODEL: "${defaultModel}" is not one of LLM_MODELS (${models.join(', ')})`);
  }
  if (e.SHARD_ID !== undefined && e.SHARD_COUNT === undefined) problems.push('SHARD_ID: needs SHARD_COUNT too');
  if (e.SHARD_ID !== undefined && e.SHARD_COUNT !== undefined && e.SHARD_ID >= e.SHARD_COUNT) {
    problems.push('SHARD_ID: must be less than SHARD_COUNT');
  }

  const missingDiscord = e.DISCORD_TOKEN ? [] : ['DISCORD_TOKEN'];
  const missingSlack: string[] = [];
  if (!e.SLACK_BOT_TOKEN) missingSlack.push('SLACK_BOT_TOKEN');
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) missingSlack.push('SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  if (e.SLACK_BOT_TOKEN && missingSlack.length > 0) {
    problems.push(`SLACK_BOT_TOKEN is set but ${missingSlack.join(', ')} is missing`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const discord: DiscordConfig | undefined = e.DISCORD_TOKEN
    ? {
        token: e.DISCORD_TOKEN,
        appId: e.DISCORD_APP_ID,
        guildId: e.DISCORD_GUILD_ID,
        apiBase: e.DISCORD_API_BASE,
        replyMode: e.DISCORD_REPLY_MODE ?? 'thread',
        followupsWithoutMention: e.DISCORD_FOLLOWUPS_WITHOUT_MENTION ?? true,
        channelModelPermission: e.DISCORD_CHANNEL_MODEL_PERMISSION ?? 'ManageChannels',
        allowed: {
          guilds: e.DISCORD_ALLOWED_GUILDS ?? [],
          channels: e.DISCORD_ALLOWED_CHANNELS ?? [],
          roles: e.DISCORD_ALLOWED_ROLES ?? [],
          users: e.DISCORD_ALLOWED_USERS ?? [],
        },
        shardCount: e.SHARD_COUNT,
        shardId: e.SHARD_ID,
      }
    : undefined;

  const slack: SlackConfig | undefined =
    e.SLACK_BOT_TOKEN && missingSlack.length === 0
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
          port: e.PORT ?? 3000,
          streaming: e.SLACK_STREAMING ?? 'native',
          followupsWithoutMention: e.SLACK_FOLLOWUPS_WITHOUT_MENTION ?? true,
          allowed: {
            teams: e.SLACK_ALLOWED_TEAMS ?? [],
            channels: e.SLACK_ALLOWED_CHANNELS ?? [],
            users: e.SLACK_ALLOWED_USERS ?? [],
          },
          adminUsers: e.SLACK_ADMIN_USERS ?? [],
          aiExperience: e.SLACK_AI_EXPERIENCE ?? 'auto',
          suggestedPrompts: e.SLACK_SUGGESTED_PROMPTS,
        }
      : undefined;

  return {
    ok: true,
    config: {
      llm: {
        apiBase: e.LLM_API_BASE ?? 'https://api.xhuoapi.ai/v1/gemini',
        apiKey: e.LLM_API_KEY,
        models,
        defaultModel,
        timeoutMs: e.LLM_TIMEOUT_MS ?? 300_000,
        idleTimeoutMs: e.LLM_IDLE_TIMEOUT_MS ?? 90_000,
        maxRetries: e.LLM_MAX_RETRIES ?? 3,
      },
      systemPrompt: e.SYSTEM_PROMPT ?? DEFAULT_SYSTEM_PROMPT,
      history: {
        maxMessages: e.HISTORY_MAX_MESSAGES ?? 50,
        maxChars: e.HISTORY_MAX_CHARS ?? 200_000,
        ttlMs: Math.round((e.HISTORY_TTL_DAYS ?? 90) * 24 * 3600_000),
      },
      attachmentMaxBytes: Math.round((e.ATTACHMENT_MAX_MB ?? 20) * 1024 * 1024),
      attachmentTotalMaxBytes: Math.round((e.ATTACHMENT_TOTAL_MAX_MB ?? 40) * 1024 * 1024),
      documentMaxChars: e.DOCUMENT_MAX_CHARS ?? 100_000,
      contextMaxMessages: e.CONTEXT_MAX_MESSAGES ?? 50,
      timeZone: e.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      turnQueueMax: e.TURN_QUEUE_MAX ?? 3,
      editFollowMs: Math.round((e.EDIT_FOLLOW_MINUTES ?? 10) * 60_000),
      reasoningDisplay: e.REASONING_DISPLAY ?? 'status',
      usageFooter: e.USAGE_FOOTER ?? false,
      locale: e.BOT_LOCALE ?? 'auto',
      quotas: {
        userDailyTokens: e.QUOTA_USER_DAILY_TOKENS ?? 0,
        channelDailyTokens: e.QUOTA_CHANNEL_DAILY_TOKENS ?? 0,
        workspaceDailyTokens: e.QUOTA_WORKSPACE_DAILY_TOKENS ?? 0,
      },
      storeUrl: e.STORE_URL ?? 'sqlite://./data/bot.sqlite',
      logLevel: e.LOG_LEVEL ?? 'info',
      logFile: e.LOG_FILE,
      healthPort: e.HEALTH_PORT,
      instanceId: e.INSTANCE_ID ?? hostname(),
      discord,
      slack,
      missing: { discord: missingDiscord, slack: missingSlack },
    },
  };
}

/** Every configured secret, for the logger to censor wherever its text appears (src/logger.ts). */
export function secretsOf(config: Config): string[] {
  const secrets = [config.llm.apiKey, config.discord?.token, config.slack?.botToken, config.slack?.signingSecret, config.slack?.appToken];
  return secrets.filter((s): s is string => s !== undefined);
}
