import type { webApi } from '@slack/bolt';
import Keyv from 'keyv';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { AgentSessions, closingSessionsOnReset } from '../../../adapters/slack/agent-sessions.ts';
import { chooseAiSurface, SlackAiSurface } from '../../../adapters/slack/ai-surface.ts';
import type { ConversationCore } from '../../../src/conversation/core.ts';

const log = pino({ level: 'silent' });

/** AgentSessions against a recording Web API on a hand-driven clock (sleeps advance it). */
function sessions(opts: { slowFirst?: Promise<void> } = {}) {
  let now = 0;
  const calls: Array<{ at: number; status: string; thread: string; title?: string }> = [];
  let slow = opts.slowFirst;
  const client = {
    agents: {
      sessions: {
        setStatus: async (args: { status: string; thread_ts: string; title?: string }) => {
          const held = slow;
          slow = undefined;
          if (held) await held;
          calls.push({ at: now, status: args.status, thread: args.thread_ts, ...(args.title ? { title: args.title } : {}) });
          return { ok: true };
        },
      },
    },
  } as unknown as webApi.WebClient;
  const ai = new SlackAiSurface({ setting: 'agent', choice: chooseAiSurface('agent', ['chat:write', 'assistant:write']), logger: log });
  const agent = new AgentSessions({
    client,
    ai,
    settings: new Keyv(),
    logger: log,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { agent, calls };
}

const thread = (n: number, turn = 1) => ({
  teamId: 'T1',
  channel: 'D1',
  threadTs: `1700000000.${String(n).padStart(6, '0')}`,
  conversationId: `slack:T1:D1:1700000000.${String(n).padStart(6, '0')}`,
  channelId: 'slack:T1:D1',
  turnId: `slack:T1:D1:1700000000.${String(n).padStart(6, '0')}:1800000000.${String(turn).padStart(6, '0')}`,
  askerId: 'U1',
});

test('a thread’s calls reach Slack in order: a slow processing is never overtaken by its active', async () => {
  let release: () => void = () => undefined;
  const { agent, calls } = sessions({ slowFirst: new Promise((resolve) => (release = resolve)) });
  const processing = agent.processing(thread(1), 'What is up?', log);
  const active = agent.active(thread(1), log);
  release();
  await Promise.all([processing, active]);
  expect(calls.map((c) => c.status)).toEqual(['processing', 'active']);
  expect(calls[0]?.title).toBe('What is up?');
});

test('sixty turns in a minute stay within Tier 3: never more than 50 calls in any 60 seconds', async () => {
  const { agent, calls } = sessions();
  await Promise.all(Array.from({ length: 30 }, (_, i) => agent.processing(thread(i), 'q', log).then(() => agent.active(thread(i), log))));
  expect(calls).toHaveLength(60);
  for (const call of calls) expect(calls.filter((c) => c.at >= call.at && c.at < call.at + 60_000).length).toBeLessThanOrEqual(50);
});

test('the running turn is found for a stop, and forgotten by its own end only', async () => {
  const { agent } = sessions();
  await agent.processing(thread(1, 1), 'first', log);
  await agent.processing(thread(1, 2), 'second', log);
  expect(await agent.running(thread(1), log)).toEqual({ turnId: thread(1, 2).turnId, askerId: 'U1' });
  await agent.active(thread(1, 1), log);
  expect((await agent.running(thread(1), log))?.turnId).toBe(thread(1, 2).turnId);
  await agent.active(thread(1, 2), log);
  expect(await agent.running(thread(1), log)).toBeUndefined();
});

test('a reset through the core also closes the thread’s session', async () => {
  const { agent, calls } = sessions();
  const reset: string[] = [];
  const core = { models: ['m'], reset: async (id: string) => void reset.push(id) } as unknown as ConversationCore;
  const wrapped = closingSessionsOnReset(core, agent, log);
  await wrapped.reset(thread(7).conversationId);
  expect(reset).toEqual([thread(7).conversationId]);
  expect(calls).toEqual([{ at: 0, status: 'closed', thread: thread(7).threadTs }]);
  expect(wrapped.models).toEqual(['m']);
});
