import { expect, test } from 'vitest';
import { parseAddress } from '../../../adapters/slack/surface.ts';

test("an answer's address names its thread, so it can be found again after a restart", () => {
  expect(parseAddress('slack:T0001:C0GENERAL:1800000000.000001:1800000000.000002')).toEqual({
    teamId: 'T0001',
    channel: 'C0GENERAL',
    threadTs: '1800000000.000001',
    channelId: 'slack:T0001:C0GENERAL',
    conversationId: 'slack:T0001:C0GENERAL:1800000000.000001',
    turnId: 'slack:T0001:C0GENERAL:1800000000.000001:1800000000.000002',
  });
  expect(parseAddress('discord:1:2:3')).toBeUndefined();
});
