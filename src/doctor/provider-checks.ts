/**
 * The provider's part of the doctor: is the API key accepted, and does each
 * configured model answer? The provider documents no model list
 * (../shared/seed-api/README.md), so each model gets the cheapest real
 * request there is: one non-streaming question capped at one token
 * (`max_tokens: 1`), through the bot's own UpstreamClient and so the same
 * URL, headers and error parsing as a real answer. A 401 `invalid_token`
 * is a bad key.
 */
import type { LlmConfig } from '../config.ts';
import { UpstreamClient } from '../upstream/client.ts';
import { UpstreamError } from '../upstream/errors.ts';
import { fail, pass, skip, type CheckResult, type DoctorSection } from './check-result.ts';
import { doctorText } from './doctor-text.ts';
import { describeNoAnswer, printableUrl, type NoAnswer } from './probe-failure.ts';

type ModelProbe =
  | { readonly type: 'answered'; readonly model: string; readonly ms: number }
  | { readonly type: 'refused'; readonly model: string; readonly error: UpstreamError }
  | { readonly type: 'no-answer'; readonly model: string; readonly noAnswer: NoAnswer };

async function probeModel(client: UpstreamClient, model: string, timeoutMs: number, now: () => number): Promise<ModelProbe> {
  const started = now();
  try {
    await client.complete({ model, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 }, AbortSignal.timeout(timeoutMs));
    return { type: 'answered', model, ms: Math.round(now() - started) };
  } catch (error) {
    // No status: the request never got an HTTP answer (refused connection, unknown host, deadline).
    if (error instanceof UpstreamError && error.status !== undefined) return { type: 'refused', model, error };
    if (error instanceof UpstreamError && error.kind === 'broken-stream') return { type: 'refused', model, error };
    return { type: 'no-answer', model, noAnswer: describeNoAnswer(error, timeoutMs) };
  }
}

const isBadKey = (error: UpstreamError) => error.status === 401 || error.code === 'invalid_token';

function modelLine(probe: ModelProbe, defaultModel: string): CheckResult {
  const t = doctorText.provider;
  const { model } = probe;
  if (probe.type === 'answered') return pass(t.modelAnswers(model, model === defaultModel, probe.ms));
  if (probe.type === 'no-answer') return fail(t.modelNoAnswer(model, probe.noAnswer.reason), t.modelNoAnswerFix);
  const { error } = probe;
  const f = { status: error.status, code: error.code, detail: error.detail, traceId: error.traceId };
  switch (error.kind) {
    case 'unauthorized':
      return fail(t.modelForbidden(model, f), t.modelForbiddenFix(model));
    case 'rate-limited':
      return fail(t.modelRateLimited(model, f), t.modelRateLimitedFix);
    case 'unavailable':
    case 'timeout':
      return fail(t.modelUnavailable(model, f), t.modelUnavailableFix);
    case 'broken-stream':
      return fail(t.modelOddAnswer(model), t.modelOddAnswerFix);
    case 'bad-request':
    case 'not-implemented':
      return fail(t.modelRefused(model, f), t.modelRefusedFix(model));
  }
}

/** The key line first, then one line per model; when the key is refused or nothing answers, the models are not judged one by one. */
export function providerResults(probes: readonly ModelProbe[], llm: LlmConfig): CheckResult[] {
  const t = doctorText.provider;
  const base = printableUrl(llm.apiBase);
  const answered = probes.some((p) => p.type === 'answered');
  const badKey = probes.find((p): p is Extract<ModelProbe, { type: 'refused' }> => p.type === 'refused' && isBadKey(p.error));
  const skipped = () => probes.map((p) => skip(t.modelSkipped(p.model)));
  if (!answered && badKey) {
    const { status, code, traceId } = badKey.error;
    return [fail(t.keyRefused({ status, code, traceId }), t.keyRefusedFix), ...skipped()];
  }
  const first = probes[0];
  if (first?.type === 'no-answer' && probes.every((p) => p.type === 'no-answer')) {
    return [fail(t.unreachable(first.noAnswer.reason), t.unreachableFix(base)), ...skipped()];
  }
  const keyLine = answered ? pass(t.keyAccepted) : fail(t.keyUnconfirmed, t.keyUnconfirmedFix);
  return [keyLine, ...probes.map((p) => modelLine(p, llm.defaultModel))];
}

export function providerSection(llm: LlmConfig, opts: { timeoutMs: number; fetch?: typeof fetch }): DoctorSection {
  return {
    title: doctorText.provider.title(printableUrl(llm.apiBase)),
    async run() {
      if (!llm.apiKey) return [fail(doctorText.provider.keyMissing, doctorText.provider.keyMissingFix)];
      // No retries: the doctor reports what happens now, and a 429 retried for a minute would only hide it.
      const client = new UpstreamClient({ ...llm, maxRetries: 0, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
      const now = () => performance.now();
      const probes = await Promise.all(llm.models.map((model) => probeModel(client, model, opts.timeoutMs, now)));
      return providerResults(probes, llm);
    },
  };
}
