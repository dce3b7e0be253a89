/**
 * Why a call got no HTTP answer at all, in words an operator can act on:
 * the deadline passed, or the connection failed (refused, unknown host, TLS).
 * The error code (`ECONNREFUSED`) when there is one; otherwise the message of
 * the innermost cause (`bad port`), the one closest to the socket, which no
 * client used here fills with a URL or a header.
 */
export type NoAnswerKind = 'timeout' | 'unreachable';

export interface NoAnswer {
  readonly kind: NoAnswerKind;
  /** `no answer within 10 s`, `ECONNREFUSED`, `ENOTFOUND`, … */
  readonly reason: string;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.length > 0) return code;
  return errorCode((error as { cause?: unknown }).cause);
}

function innermostMessage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return innermostMessage(error.cause) ?? (error.message.slice(0, 120) || undefined);
}

function isTimeout(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  return isTimeout((error as { cause?: unknown }).cause);
}

export function describeNoAnswer(error: unknown, timeoutMs: number): NoAnswer {
  if (isTimeout(error)) return { kind: 'timeout', reason: `no answer within ${Math.round(timeoutMs / 1000)} s` };
  return { kind: 'unreachable', reason: errorCode(error) ?? innermostMessage(error) ?? 'connection failed' };
}

/** `work`, or a TimeoutError after `ms` (for clients that take no AbortSignal, like a Redis connect). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** A URL as it may be printed: any user name and password replaced by `***`. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
