/**
 * Discord's part of `npm run doctor`, with real calls through discord.js REST
 * (the bot's own client, so DISCORD_API_BASE, the API version and the user
 * agent are the same): the token (`GET /users/@me`), the Message Content
 * intent from the application's flags (`GET /applications/@me`), the servers
 * the bot is in and its permissions there (`GET /users/@me/guilds`), and the
 * registered slash commands against commands.ts, compared as the start-up sync
 * compares them (command-sync.ts), so the doctor calls stale exactly what a
 * restart would rewrite. Ends with the invite URL.
 */
import { ApplicationFlags, DiscordAPIError, HTTPError, PermissionFlagsBits, PermissionsBitField, RateLimitError, REST, Routes } from 'discord.js';
import { z } from 'zod';
import type { DiscordConfig } from '../../src/config.ts';
import { fail, info, pass, skip, warn, type CheckResult, type DoctorSection } from '../../src/doctor/check-result.ts';
import { doctorText } from '../../src/doctor/doctor-text.ts';
import { describeNoAnswer } from '../../src/doctor/probe-failure.ts';
import { readCommandState, type CommandState } from './command-sync.ts';
import { commandDefinitions } from './commands.ts';
import { inviteUrl, REQUIRED_PERMISSIONS } from './invite.ts';

const t = doctorText.discord;

/** `GET /users/@me/guilds` returns at most 200 per page (discord-api-spec `list_my_guilds`, `limit` maximum). */
const GUILD_PAGE = 200;

const userSchema = z.object({ id: z.string(), username: z.string(), bot: z.boolean().optional() });
/** `flags` is required on PrivateApplicationResponse (discord-api-spec). */
const applicationSchema = z.object({ id: z.string(), flags: z.number() });
/** MyGuildResponse: `permissions` is the bot's total in that server, without channel overwrites. */
const guildsSchema = z.array(z.object({ id: z.string(), name: z.string(), permissions: z.string() }));

type Call<T> =
  | { readonly type: 'ok'; readonly body: T }
  | { readonly type: 'refused'; readonly status: number; readonly code?: string; readonly detail?: string }
  | { readonly type: 'no-answer'; readonly reason: string };

async function call<T>(work: () => Promise<unknown>, schema: z.ZodType<T>, timeoutMs: number): Promise<Call<T>> {
  let body: unknown;
  try {
    body = await work();
  } catch (error) {
    if (error instanceof DiscordAPIError) return { type: 'refused', status: error.status, code: String(error.code), detail: error.message };
    if (error instanceof HTTPError) return { type: 'refused', status: error.status };
    if (error instanceof RateLimitError) return { type: 'refused', status: 429, detail: `retry after ${Math.ceil(error.retryAfter / 1000)} s` };
    return { type: 'no-answer', reason: describeNoAnswer(error, timeoutMs).reason };
  }
  const parsed = schema.safeParse(body);
  return parsed.success ? { type: 'ok', body: parsed.data } : { type: 'refused', status: 200, detail: 'an answer in an unknown shape' };
}

/** The line for a call that did not succeed, named after what it was for. */
function failedLine(what: string, result: Exclude<Call<unknown>, { type: 'ok' }>, fix: string = t.failedCallFix): CheckResult {
  if (result.type === 'no-answer') return fail(t.unreachable(what, result.reason), t.unreachableFix);
  return fail(t.failedCall(what, result), fix);
}

function intentLine(app: Call<z.infer<typeof applicationSchema>>): CheckResult {
  if (app.type !== 'ok') return failedLine(t.intentWhat, app);
  // GatewayMessageContent (1 << 18) once verified at 100+ servers; GatewayMessageContentLimited (1 << 19) below that.
  if ((app.body.flags & ApplicationFlags.GatewayMessageContent) !== 0) return pass(t.intentEnabled(false));
  if ((app.body.flags & ApplicationFlags.GatewayMessageContentLimited) !== 0) return pass(t.intentEnabled(true));
  return fail(t.intentMissing, t.intentMissingFix);
}

/** The servers line, and the permissions line for the servers the bot serves (none when there are none to judge). */
function guildLines(guilds: Call<z.infer<typeof guildsSchema>>, config: DiscordConfig): { servers: CheckResult; permissions: CheckResult[] } {
  if (guilds.type !== 'ok') return { servers: failedLine(t.guildsWhat, guilds), permissions: [] };
  const all = guilds.body;
  const complete = all.length < GUILD_PAGE;
  if (all.length === 0) return { servers: fail(t.noGuilds, t.noGuildsFix), permissions: [] };
  const allowed = config.allowed.guilds;
  const serving = allowed.length === 0 ? all : all.filter((g) => allowed.includes(g.id));
  if (serving.length === 0 && complete) return { servers: fail(t.noAllowedGuild(all.length), t.noAllowedGuildFix), permissions: [] };
  return { servers: pass(t.inGuilds(all.length, complete)), permissions: [permissionsLine(serving)] };
}

/** Words for a permission flag name: `SendMessagesInThreads` → `Send Messages In Threads`. */
const permissionWords = (name: string) => name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ');

function permissionsLine(guilds: readonly { id: string; name: string; permissions: string }[]): CheckResult {
  const lacks = guilds.flatMap((guild) => {
    const granted = new PermissionsBitField(BigInt(guild.permissions));
    if (granted.has(PermissionFlagsBits.Administrator)) return [];
    const missing = REQUIRED_PERMISSIONS.toArray().filter((name) => !granted.has(name));
    return missing.length > 0 ? [{ guild: `${guild.name} (${guild.id})`, missing: missing.map(permissionWords) }] : [];
  });
  if (lacks.length === 0) return pass(t.permissionsComplete(guilds.length));
  return warn(t.permissionsMissing(lacks.slice(0, 3)), t.permissionsMissingFix);
}

function commandsLine(commands: Call<CommandState>, config: DiscordConfig): CheckResult {
  const where = config.guildId ? t.whereGuild(config.guildId) : t.whereGlobal;
  if (commands.type !== 'ok') return failedLine(`${t.commandsWhat} ${where}`, commands, t.commandsUnreadableFix);
  if (commands.body.state === 'current') return pass(t.commandsCurrent(commandDefinitions.map((c) => c.name), where));
  return fail(t.commandsStale(commands.body, where), t.commandsStaleFix(config.guildId === undefined));
}

export function discordSection(config: DiscordConfig, opts: { timeoutMs: number }): DoctorSection {
  return {
    title: t.title,
    async run() {
      // No retries and no waiting out a rate limit: the doctor reports what happens now.
      const rest = new REST({ ...(config.apiBase ? { api: config.apiBase } : {}), timeout: opts.timeoutMs, retries: 0, rejectOnRateLimit: () => true }).setToken(config.token);
      const get = <T>(route: `/${string}`, schema: z.ZodType<T>, query?: URLSearchParams) =>
        call(() => rest.get(route, { signal: AbortSignal.timeout(opts.timeoutMs), ...(query ? { query } : {}) }), schema, opts.timeoutMs);

      const me = await get(Routes.user('@me'), userSchema);
      if (me.type === 'refused' && me.status === 401) return [fail(t.tokenRefused(me.status), t.tokenRefusedFix), skip(t.restSkipped)];
      if (me.type !== 'ok') return [failedLine(t.tokenWhat, me), skip(t.restSkipped)];
      if (me.body.bot !== true) return [fail(t.notABot(me.body.username), t.notABotFix), skip(t.restSkipped)];

      const [app, guilds] = await Promise.all([
        get(Routes.currentApplication(), applicationSchema),
        get(Routes.userGuilds(), guildsSchema, new URLSearchParams({ limit: String(GUILD_PAGE) })),
      ]);
      // A bot user's id is its application's id; DISCORD_APP_ID or the application answer say so outright.
      const applicationId = config.appId ?? (app.type === 'ok' ? app.body.id : me.body.id);
      // readCommandState parses Discord's answer itself (an unexpected shape is a difference).
      const commands = await call(
        () => readCommandState(rest, { applicationId, guildId: config.guildId }, AbortSignal.timeout(opts.timeoutMs)),
        z.custom<CommandState>(),
        opts.timeoutMs,
      );

      const { servers, permissions } = guildLines(guilds, config);
      return [
        pass(t.tokenValid(me.body.username, me.body.id)),
        intentLine(app),
        servers,
        commandsLine(commands, config),
        ...permissions,
        info(t.invite(inviteUrl(applicationId))),
      ];
    },
  };
}
