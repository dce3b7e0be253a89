import { webApi } from '@slack/bolt';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { chooseAiSurface, SlackAiSurface } from '../../../adapters/slack/ai-surface.ts';
import { captureLogs } from '../../support/log-capture.ts';

const scopes = ['chat:write', 'assistant:write'];

/** What @slack/web-api throws for an `ok: false` answer. */
const slackError = (code: string) => new webApi.WebAPIPlatformError({ ok: false, error: code });

describe('the surface chosen at start-up', () => {
  test.each([
    ['auto', scopes, 'agent'],
    ['agent', scopes, 'agent'],
    ['assistant', scopes, 'assistant'],
    ['off', scopes, 'none'],
    ['auto', ['chat:write'], 'none'],
    ['assistant', ['chat:write'], 'none'],
    ['auto', undefined, 'none'],
  ] as const)('SLACK_AI_EXPERIENCE=%s with scopes %j: %s', (setting, granted, kind) => {
    expect(chooseAiSurface(setting, granted).kind).toBe(kind);
  });

  test('without the scope the reason names it', () => {
    expect(chooseAiSurface('auto', ['chat:write']).reason).toBe('the token lacks assistant:write');
  });
});

describe('at run time', () => {
  const surface = (setting: 'auto' | 'agent', logger = pino({ level: 'silent' })) =>
    new SlackAiSurface({ setting, choice: chooseAiSurface(setting, scopes), logger });

  test('in auto, an assistant thread from Slack switches to the assistant experience; an explicit agent setting stays', () => {
    const auto = surface('auto');
    expect(auto.hidesStop()).toBe(true);
    expect(auto.assistantThreadSeen()).toBe(true);
    expect(auto.kind).toBe('assistant');
    expect(auto.hidesStop()).toBe(false);
    const agent = surface('agent');
    expect(agent.assistantThreadSeen()).toBe(false);
    expect(agent.kind).toBe('agent');
  });

  test.each(['not_allowed', 'unknown_method', 'missing_scope'])('a method answering %s turns the surface off, said once', async (code) => {
    const logs = captureLogs();
    const ai = surface('agent', logs.logger);
    const log = pino({ level: 'silent' });
    expect(await ai.call('agents.sessions.setStatus', log, () => Promise.reject(slackError(code)))).toEqual({ type: 'failed' });
    expect(await ai.call('agents.sessions.setStatus', log, () => Promise.reject(slackError(code)))).toEqual({ type: 'failed' });
    expect(ai.kind).toBe('none');
    expect(ai.hidesStop()).toBe(false);
    expect(logs.lines().filter((l) => l.msg.startsWith('slack refused its AI surface'))).toHaveLength(1);
  });

  test('other failures leave the surface on; a 429 is handed back with its wait', async () => {
    const ai = surface('agent');
    const log = pino({ level: 'silent' });
    expect(await ai.call('agents.sessions.setStatus', log, () => Promise.reject(slackError('channel_not_found')))).toEqual({ type: 'failed' });
    expect(await ai.call('agents.sessions.setStatus', log, () => Promise.reject(new webApi.WebAPIRateLimitedError(7)))).toEqual({
      type: 'rate-limited',
      retryAfterMs: 7000,
    });
    expect(ai.kind).toBe('agent');
  });

  test('an agent app refused as such can still turn out to be an assistant app (auto)', async () => {
    const ai = surface('auto');
    await ai.call('agents.sessions.setStatus', pino({ level: 'silent' }), () => Promise.reject(slackError('not_allowed')));
    expect(ai.kind).toBe('none');
    expect(ai.assistantThreadSeen()).toBe(true);
    expect(ai.kind).toBe('assistant');
  });
});
