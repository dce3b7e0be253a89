/**
 * Slack's part of `npm run doctor`, with real calls to SLACK_API_URL (Slack's
 * own by default): `auth.test` for the bot token, its `x-oauth-scopes`
 * response header (the scopes the token holds, comma-separated; @slack/web-api
 * reads the same header into `response_metadata.scopes`) against the
 * manifest's bot scopes, and the events path: `apps.connections.open` with the
 * app-level token in Socket Mode (the WebSocket URL it hands out is not
 * opened), or in HTTP mode a listen on PORT, closed at once.
 */
import { createServer } from 'node:net';
import { z } from 'zod';
import type { SlackConfig } from '../../src/config.ts';
import { fail, pass, skip, warn, type CheckResult, type DoctorSection } from '../../src/doctor/check-result.ts';
import { doctorText } from '../../src/doctor/doctor-text.ts';
import { describeNoAnswer } from '../../src/doctor/probe-failure.ts';
import { manifestBotScopes } from './manifest-scopes.ts';

const t = doctorText.slack;

const SLACK_API = 'https://slack.com/api';

const answerSchema = z.looseObject({ ok: z.boolean(), error: z.string().optional() });
/** docs.slack.dev/reference/methods/auth.test: the workspace and the bot user the token speaks for. */
const authTestSchema = z.looseObject({ team: z.string().optional(), team_id: z.string().optional(), user: z.string().optional(), user_id: z.string().optional() });

type SlackCall =
  | { readonly type: 'ok'; readonly body: Record<string, unknown>; readonly headers: Headers }
  | { readonly type: 'error'; readonly error: string }
  | { readonly type: 'no-answer'; readonly reason: string };

/** One Web API call with the token in the Authorization header (apps.connections.open accepts it nowhere else). */
async function slackCall(apiUrl: string, method: string, token: string, timeoutMs: number): Promise<SlackCall> {
  let response: Response;
  let raw: unknown;
  try {
    response = await fetch(`${apiUrl}/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    raw = await response.json().catch(() => undefined);
  } catch (error) {
    return { type: 'no-answer', reason: describeNoAnswer(error, timeoutMs).reason };
  }
  const parsed = answerSchema.safeParse(raw);
  if (response.status === 429) return { type: 'error', error: 'ratelimited' };
  if (!parsed.success) return { type: 'error', error: `HTTP ${response.status}` };
  if (!parsed.data.ok) return { type: 'error', error: parsed.data.error ?? 'unknown_error' };
  return { type: 'ok', body: parsed.data, headers: response.headers };
}

function tokenLines(auth: SlackCall): CheckResult[] {
  if (auth.type === 'no-answer') return [fail(t.unreachable(t.tokenWhat, auth.reason), t.unreachableFix), skip(t.scopesSkipped)];
  if (auth.type === 'error') return [fail(t.tokenRefused(auth.error), t.tokenRefusedFix), skip(t.scopesSkipped)];
  const who = authTestSchema.parse(auth.body);
  return [pass(t.tokenValid(who.team ?? who.team_id ?? '?', who.user ?? who.user_id ?? '?')), scopesLine(auth.headers.get('x-oauth-scopes'))];
}

function scopesLine(header: string | null): CheckResult {
  if (header === null) return warn(t.scopesUnknown, t.scopesUnknownFix);
  const granted = new Set(header.split(',').map((s) => s.trim()));
  const needed = manifestBotScopes();
  const missing = needed.filter((scope) => !granted.has(scope));
  return missing.length === 0 ? pass(t.scopesGranted(needed.length)) : fail(t.scopesMissing(missing), t.scopesMissingFix);
}

async function socketModeLine(apiUrl: string, appToken: string, timeoutMs: number): Promise<CheckResult> {
  const opened = await slackCall(apiUrl, 'apps.connections.open', appToken, timeoutMs);
  if (opened.type === 'ok') return pass(t.socketOpens);
  if (opened.type === 'no-answer') return fail(t.unreachable(t.socketWhat, opened.reason), t.unreachableFix);
  return fail(t.socketRefused(opened.error), t.socketRefusedFix);
}

/** Listens as Bolt's HTTP receiver does (every interface), then lets go: free means the bot could start. */
function tryListen(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.name));
    server.listen(port, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Whether what holds `port` answers as the bot's Slack receiver does: an unsigned
 * request to /slack/events is refused with 401 (Bolt's signature check). Then the
 * port is busy because the bot is running, which is what an operator wants to hear.
 */
async function servesSlackEvents(port: number, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.status === 401;
  } catch {
    return false;
  }
}

async function httpModeLines(config: SlackConfig, timeoutMs: number): Promise<CheckResult[]> {
  // Set, by the time the config loaded: without an app token the signing secret is required.
  const secret = pass(t.signingSecretSet);
  const problem = await tryListen(config.port);
  if (problem === undefined) return [secret, pass(t.portFree(config.port))];
  if (problem === 'EADDRINUSE' && (await servesSlackEvents(config.port, timeoutMs))) return [secret, pass(t.portServedByBot(config.port))];
  if (problem === 'EADDRINUSE') return [secret, fail(t.portBusy(config.port), t.portBusyFix(config.port))];
  return [secret, fail(t.portDenied(config.port, problem), t.portDeniedFix)];
}

export function slackSection(config: SlackConfig, opts: { timeoutMs: number }): DoctorSection {
  return {
    title: t.title,
    async run() {
      const apiUrl = config.apiUrl ?? SLACK_API;
      const [auth, events] = await Promise.all([
        slackCall(apiUrl, 'auth.test', config.botToken, opts.timeoutMs),
        config.appToken ? socketModeLine(apiUrl, config.appToken, opts.timeoutMs).then((line) => [line]) : httpModeLines(config, opts.timeoutMs),
      ]);
      return [...tokenLines(auth), ...events];
    },
  };
}
