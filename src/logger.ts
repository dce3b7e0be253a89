/**
 * The root logger: structured JSON (pino) with secrets taken out wherever they
 * occur in a line, not only at known paths. Two passes, because a secret hides
 * in two ways:
 * - under a telling key at any depth (`token`, `headers.authorization`, a
 *   config's `apiKey`): `formatters.log` and `formatters.bindings` copy the
 *   fields with those values censored, serializing errors first so their own
 *   fields (a DiscordAPIError's `requestBody`, a cause) are walked too;
 * - inside a string (a Discord interaction or webhook token in a REST URL, an
 *   `xoxb-` token in a message, the configured API key echoed back by a
 *   provider): `hooks.streamWrite` rewrites the finished line, message and
 *   child bindings included, so no field or serializer can slip past it.
 */
import { pino, stdSerializers, type Logger } from 'pino';

export const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear (HTTP headers, configs, API payloads). */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-slack-signature|password|secret|client_?secret|signing_?secret|token|bot_?token|app_?token|access_?token|refresh_?token|api_?key|x-api-key)$/i;

/**
 * Secrets with a recognisable shape. Discord puts interaction and webhook tokens in the
 * path (`/interactions/<id>/<token>/callback`, `/webhooks/<application id>/<token>/…`),
 * so they reach logs in `DiscordAPIError.url`; Slack tokens start `xox?-` or `xapp-`;
 * Discord bot tokens are three base64url parts joined by dots.
 */
const SECRET_SHAPES: readonly [RegExp, string][] = [
  [/(\/(?:interactions|webhooks)\/\d+\/)(?!\[redacted\])[^/?#\s"\\]+/g, `$1${REDACTED}`],
  [/\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g, `$1-${REDACTED}`],
  [/\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b/g, REDACTED],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, `Bearer ${REDACTED}`],
];

/** A configured secret shorter than this is not searched for in text: it would censor ordinary words. */
const MIN_LITERAL_LENGTH = 8;

/** Deeper than this, a logged value is cut: no log line needs it, and it bounds the copy. */
const MAX_DEPTH = 12;

export interface LoggerOptions {
  /** Configured secrets (API keys, tokens, signing secrets): censored wherever their text appears. */
  readonly secrets?: readonly (string | undefined)[];
}

/** A copy of `value` as JSON would show it, with secrets under telling keys censored and errors serialized. */
function censorFields(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return censorFields({ ...stdSerializers.err(value) }, seen, depth);
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return censorFields(withJson.toJSON(), seen, depth + 1);
    if (Array.isArray(value)) return value.map((item) => censorFields(item, seen, depth + 1));
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      copy[key] = SECRET_KEY.test(key) && field !== undefined && field !== null && field !== '' ? REDACTED : censorFields(field, seen, depth + 1);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites a finished log line: the configured secrets, then every secret shape, become `[redacted]`. */
export function censorText(secrets: readonly (string | undefined)[]): (line: string) => string {
  const literals = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_LITERAL_LENGTH) continue;
    literals.add(secret);
    // As it appears inside a JSON string.
    literals.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is censored whole.
  const literal = literals.size > 0 ? new RegExp([...literals].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g') : undefined;
  return (line) => {
    let out = literal ? line.replace(literal, REDACTED) : line;
    for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
    return out;
  };
}

/**
 * A log file (LOG_FILE), its folder created. Written synchronously: logs are a few lines
 * per turn, and a line written just before the process exits must not be lost.
 */
export function logFile(path: string): pino.DestinationStream {
  return pino.destination({ dest: path, mkdir: true, sync: true });
}

export function createLogger(level: string, destination?: pino.DestinationStream, opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'gemini-chat-bot' },
    formatters: {
      log: (fields) => censorFields(fields, new WeakSet(), 0) as Record<string, unknown>,
      bindings: (bindings) => censorFields(bindings, new WeakSet(), 0) as Record<string, unknown>,
    },
    // formatters.log has serialized errors already; pino's own err serializer would re-type them as Object.
    serializers: { err: (err: unknown) => err },
    hooks: { streamWrite: censorText(opts.secrets ?? []) },
  };
  return destination ? pino(options, destination) : pino(options);
}
