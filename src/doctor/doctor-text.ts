/**
 * Every sentence `npm run doctor` prints, in one place. These are for the
 * people who run the bot (chat users read src/user-text.ts). Each failing
 * line has a fix that says what to do, where, in plain words. No text here
 * ever takes a secret as a parameter: keys and tokens are never printed.
 */

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Discord command names as people type or see them: `/model` for a slash command; a
 * context-menu command (its name may hold spaces, a slash command's never can) in quotes.
 */
const commandNames = (names: readonly string[]) => names.map((n) => (/\s/.test(n) ? `"${n}"` : `/${n}`)).join(', ');
const list = (items: readonly string[]) => items.join(', ');
/** `(HTTP 400 api_not_implemented: model not found; trace id abc)`, leaving out what is unknown. */
const facts = (f: { status?: number | undefined; code?: string | undefined; detail?: string | undefined; traceId?: string | undefined }) => {
  const head = [f.status !== undefined ? `HTTP ${f.status}` : undefined, f.code].filter(Boolean).join(' ');
  const parts = [[head, f.detail].filter(Boolean).join(': '), f.traceId ? `trace id ${f.traceId}` : undefined].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
};

export const statusSymbol = { pass: '✓', fail: '✗', warn: '!', info: '○', skip: '○' } as const;

export const doctorText = {
  heading: 'npm run doctor: checking each configured part of the bot with real calls.',
  configProblems: (problems: readonly string[]) =>
    `✗ The settings have problems, so nothing else was checked:\n${problems.map((p) => `    - ${p}`).join('\n')}\n  fix: correct them in .env (or the environment); .env.example describes every setting.`,
  fixLabel: 'fix:',
  summaryPassed: (checks: number, warnings: number) =>
    warnings === 0 ? `All ${plural(checks, 'check', 'checks')} passed.` : `All checks passed, with ${plural(warnings, 'warning', 'warnings')} (marked !).`,
  summaryFailed: (failed: number) =>
    `${plural(failed, 'check', 'checks')} failed: fix the lines marked ✗, then run npm run doctor again.`,
  crashed: (reason: string) => `this check stopped unexpectedly: ${reason}`,
  crashedFix: 'run npm run doctor again; if it repeats, report it with this line.',

  notConfigured: (missing: readonly string[]) => `not configured (set ${missing.join(' and ')} to use it)`,

  settings: {
    title: 'Settings',
    valid: (platforms: readonly string[]) => `settings: valid; platforms: ${list(platforms)}`,
    noPlatform: 'settings: no platform is configured, so the bot would not start',
    noPlatformFix:
      'set DISCORD_TOKEN for Discord, or SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) for Slack.',
  },

  provider: {
    title: (apiBase: string) => `Provider (${apiBase})`,
    keyMissing: 'API key: LLM_API_KEY is not set',
    keyMissingFix: "put the provider's API key in LLM_API_KEY (in .env).",
    keyAccepted: 'API key: accepted',
    keyRefused: (f: { status?: number; code?: string; traceId?: string }) => `API key: refused by the provider${facts(f)}`,
    keyRefusedFix: "copy the key again from the provider's console into LLM_API_KEY; it may be mistyped, expired or revoked.",
    unreachable: (reason: string) => `API key: not checked, the provider did not answer (${reason})`,
    unreachableFix: (apiBase: string) => `check LLM_API_BASE (${apiBase}) and that this machine can reach it.`,
    keyUnconfirmed: 'API key: not confirmed, no model answered',
    keyUnconfirmedFix: 'see the model lines below.',
    modelSkipped: (model: string) => `model ${model}: not checked`,
    modelAnswers: (model: string, isDefault: boolean, ms: number) => `model ${model}${isDefault ? ' (default)' : ''}: answers (${ms} ms)`,
    modelRefused: (model: string, f: { status?: number; code?: string; detail?: string; traceId?: string }) => `model ${model}: refused${facts(f)}`,
    modelRefusedFix: (model: string) => `remove ${model} from LLM_MODELS or correct its name (as the provider spells it).`,
    modelForbidden: (model: string, f: { status?: number; code?: string; traceId?: string }) => `model ${model}: not allowed for this key${facts(f)}`,
    modelForbiddenFix: (model: string) => `enable ${model} for this key with the provider, or remove it from LLM_MODELS.`,
    modelRateLimited: (model: string, f: { status?: number; code?: string; traceId?: string }) => `model ${model}: rate-limited${facts(f)}`,
    modelRateLimitedFix: "wait a minute and run npm run doctor again; if it persists, check the limits of your plan with the provider.",
    modelUnavailable: (model: string, f: { status?: number; code?: string; detail?: string; traceId?: string }) => `model ${model}: the provider failed${facts(f)}`,
    modelUnavailableFix: 'try again later; if it persists, ask the provider, quoting the trace id.',
    modelNoAnswer: (model: string, reason: string) => `model ${model}: no answer (${reason})`,
    modelNoAnswerFix: 'the provider is slow or unreachable right now; run npm run doctor again, and check LLM_API_BASE.',
    modelOddAnswer: (model: string) => `model ${model}: answered in a shape the bot does not understand`,
    modelOddAnswerFix: 'check that LLM_API_BASE points at an OpenAI-style chat-completions API (the bot adds /chat/completions).',
  },

  discord: {
    title: 'Discord',
    tokenWhat: 'token',
    tokenValid: (username: string, id: string) => `token: valid (bot ${username}, id ${id})`,
    notABot: (username: string) => `token: belongs to ${username}, who is not a bot`,
    notABotFix: 'use the token of the Bot tab: discord.com/developers/applications → your app → Bot → Reset Token.',
    tokenRefused: (status: number) => `token: refused by Discord (HTTP ${status})`,
    tokenRefusedFix:
      'copy a fresh token from discord.com/developers/applications → your app → Bot → Reset Token into DISCORD_TOKEN.',
    unreachable: (what: string, reason: string) => `${what}: not checked, Discord did not answer (${reason})`,
    unreachableFix: "check that this machine can reach discord.com (and DISCORD_API_BASE, if set).",
    failedCall: (what: string, f: { status?: number; code?: string; detail?: string }) => `${what}: Discord refused the request${facts(f)}`,
    failedCallFix: 'run npm run doctor again; if it repeats, check the token and the application at discord.com/developers.',
    restSkipped: 'other Discord checks: skipped, the token did not work',
    intentEnabled: (limited: boolean) =>
      `Message Content intent: enabled${limited ? ' (the setting for bots in under 100 servers)' : ''}`,
    intentMissing: 'Message Content intent: not enabled; Discord refuses the bot\'s connection without it',
    intentMissingFix:
      'turn on Message Content Intent at discord.com/developers/applications → your app → Bot → Privileged Gateway Intents, and save.',
    intentWhat: 'Message Content intent',
    guildsWhat: 'servers',
    inGuilds: (count: number, complete: boolean) => `servers: in ${complete ? plural(count, 'server', 'servers') : `${count} or more servers`}`,
    noGuilds: 'servers: the bot is in no server, so nobody can mention it',
    noGuildsFix: 'open the invite URL below and add the bot to a server.',
    noAllowedGuild: (count: number) => `servers: in ${plural(count, 'server', 'servers')}, but none of them is in DISCORD_ALLOWED_GUILDS`,
    noAllowedGuildFix: "add the server's id to DISCORD_ALLOWED_GUILDS, or invite the bot to a server that is listed there.",
    commandsWhat: 'commands',
    commandsCurrent: (names: readonly string[], where: string) => `commands: ${commandNames(names)} registered ${where} and current`,
    /** `differences` speak when no command can be named (Discord answered in a shape the bot does not know). */
    commandsStale: (
      drift: { missing: readonly string[]; outdated: readonly string[]; unknown: readonly string[]; differences: readonly string[] },
      where: string,
    ) => {
      const named = [
        drift.missing.length > 0 ? `${commandNames(drift.missing)} not registered` : undefined,
        drift.outdated.length > 0 ? `${commandNames(drift.outdated)} out of date` : undefined,
        drift.unknown.length > 0 ? `${commandNames(drift.unknown)} registered but no longer the bot's` : undefined,
      ].filter((part) => part !== undefined);
      return `commands ${where}: ${(named.length > 0 ? named : drift.differences).join('; ')}`;
    },
    commandsStaleFix: (global: boolean) =>
      `restart the bot: it brings its commands up to date at start-up (npm run register-commands does the same without starting it)${global ? '. Global commands can take up to an hour to appear; set DISCORD_GUILD_ID to register them to one server at once' : ''}.`,
    commandsUnreadableFix:
      'check DISCORD_APP_ID (if set) and DISCORD_GUILD_ID, and that the bot was added with the applications.commands scope (the invite URL below has it).',
    whereGlobal: 'globally',
    whereGuild: (guildId: string) => `in server ${guildId}`,
    permissionsWhat: 'permissions',
    permissionsComplete: (guilds: number) =>
      `permissions: the bot has every permission it needs in ${guilds === 1 ? 'its server' : `all ${guilds} servers`}`,
    permissionsMissing: (lacks: readonly { guild: string; missing: readonly string[] }[]) =>
      `permissions: ${lacks.map((l) => `in ${l.guild} it lacks ${list(l.missing)}`).join('; ')}`,
    permissionsMissingFix:
      "give the bot's role these permissions in Server Settings → Roles, or add the bot again with the invite URL below. If you grant them per channel on purpose, this line is expected.",
    invite: (url: string) => `invite URL, with the permissions the bot needs: ${url}`,
  },

  slack: {
    title: 'Slack',
    tokenValid: (team: string, user: string) => `bot token: valid (workspace ${team}, bot user @${user})`,
    tokenRefused: (error: string) => `bot token: refused by Slack (${error})`,
    tokenRefusedFix:
      'copy the Bot User OAuth Token (xoxb-…) from api.slack.com/apps → your app → OAuth & Permissions into SLACK_BOT_TOKEN; reinstall the app if it was revoked.',
    unreachable: (what: string, reason: string) => `${what}: not checked, Slack did not answer (${reason})`,
    unreachableFix: 'check that this machine can reach slack.com (and SLACK_API_URL, if set).',
    tokenWhat: 'bot token',
    scopesSkipped: 'scopes: not checked, the bot token did not work',
    scopesGranted: (count: number) => `scopes: all ${count} that manifest.yaml asks for are granted`,
    scopesMissing: (missing: readonly string[]) => `scopes: missing ${list(missing)}`,
    scopesMissingFix:
      'add them at api.slack.com/apps → your app → OAuth & Permissions → Bot Token Scopes (manifest.yaml lists them all), then reinstall the app to the workspace.',
    scopesUnknown: 'scopes: Slack did not say which scopes the token has (no x-oauth-scopes header)',
    scopesUnknownFix: 'compare OAuth & Permissions → Bot Token Scopes at api.slack.com/apps with the list in manifest.yaml.',
    socketWhat: 'Socket Mode',
    socketOpens: 'Socket Mode: the app token opens a connection',
    socketRefused: (error: string) => `Socket Mode: apps.connections.open refused (${error})`,
    socketRefusedFix:
      'turn Socket Mode on (api.slack.com/apps → your app → Socket Mode) and put an app-level token with the connections:write scope (Basic Information → App-Level Tokens, xapp-…) in SLACK_APP_TOKEN.',
    signingSecretSet: 'HTTP mode: the signing secret is set',
    portFree: (port: number) => `HTTP mode: port ${port} is free for Slack's requests (path /slack/events)`,
    portServedByBot: (port: number) => `HTTP mode: port ${port} is taken by a running Slack receiver (this bot, most likely): it refuses unsigned events, as it should`,
    portBusy: (port: number) => `HTTP mode: port ${port} is already in use by a program that is not a Slack receiver`,
    portBusyFix: (port: number) =>
      `stop the program on port ${port}, or set PORT to a free one (and update the Request URLs of the Slack app).`,
    portDenied: (port: number, code: string) => `HTTP mode: cannot listen on port ${port} (${code})`,
    portDeniedFix: 'set PORT to a port this user may open (1024 or above), and update the Request URLs of the Slack app.',
  },

  store: {
    title: 'Store',
    sqliteWritable: (where: string) => `SQLite ${where}: writable (a probe key was written, read and deleted)`,
    sqliteMemory: 'SQLite in memory: works, but history is lost at every restart',
    sqliteFailed: (where: string, reason: string) => `SQLite ${where}: not usable (${reason})`,
    sqliteFailedFix: "make sure the file's directory exists and the bot's user may write to it, or point STORE_URL elsewhere.",
    redisOk: (where: string, version: string) => `Redis ${where}: answers PING, version ${version}; a probe key was written and deleted`,
    redisDown: (where: string, reason: string) => `Redis ${where}: no answer (${reason})`,
    redisDownFix: "start Redis, or correct the host and port in STORE_URL.",
    redisAuth: (where: string, reason: string) => `Redis ${where}: refused the login (${reason})`,
    redisAuthFix: 'check the user name and password in STORE_URL.',
    redisFailed: (where: string, reason: string) => `Redis ${where}: answers, but a command failed (${reason})`,
    redisFailedFix: 'check that STORE_URL points at a writable primary (not a read-only replica) and that the user may run SET, DEL and INFO.',
  },
} as const;
