/**
 * `/usage` on Slack when the report is slow (a store round trip, `users.info` for
 * five names): Slack drops a command not acknowledged within 3 s, so the ack goes
 * first and the report follows through `response_url`.
 */
import { userTextIn } from '../../../src/user-text.ts';
import { pino } from 'pino';
import { afterEach, expect, test, vi } from 'vitest';
import type { CommandArgs } from '../../../adapters/slack/command-handler.ts';
import { UsageCommand } from '../../../adapters/slack/usage-command.ts';

afterEach(() => {
  vi.useRealTimers();
});

function args() {
  const ack = vi.fn(async () => undefined);
  const respond = vi.fn(async () => undefined);
  const command = { team_id: 'T1', channel_id: 'C1', user_id: 'U1', text: '' };
  return { ack, respond, call: { command, ack, respond } as unknown as CommandArgs };
}

function usageCommand(report: () => Promise<string>) {
  return new UsageCommand({
    usage: { report },
    allowed: { teams: [], channels: [], users: [] },
    moderation: { isAdmin: async () => false },
    users: { nameOf: async (_team: string, id: string) => id },
    locales: { textsOf: async () => userTextIn('en') },
    logger: pino({ level: 'silent' }),
  });
}

test('a quick report comes with the ack', async () => {
  const { ack, respond, call } = args();
  await usageCommand(async () => '**You** have used 5 tokens today.').handle(call);
  expect(ack).toHaveBeenCalledWith({ response_type: 'ephemeral', text: expect.stringContaining('have used 5 tokens today.') });
  expect(respond).not.toHaveBeenCalled();
});

test('a slow report is acknowledged within Slack’s 3 s and follows privately through response_url', async () => {
  vi.useFakeTimers();
  let finish: (text: string) => void = () => undefined;
  const { ack, respond, call } = args();
  const handling = usageCommand(() => new Promise<string>((resolve) => (finish = resolve))).handle(call);
  await vi.advanceTimersByTimeAsync(2000);
  expect(ack).toHaveBeenCalledWith();
  expect(respond).not.toHaveBeenCalled();
  finish('**You** have used 7 tokens today.');
  await handling;
  expect(respond).toHaveBeenCalledWith({ response_type: 'ephemeral', text: expect.stringContaining('have used 7 tokens today.') });
});
