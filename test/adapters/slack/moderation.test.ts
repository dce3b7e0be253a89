/**
 * The Slack moderation rule and the users.info cache under it: admins are looked
 * up once per ten minutes, a failed lookup counts as "not an admin" and is retried
 * sooner, and SLACK_ADMIN_USERS needs no lookup.
 */
import type { webApi } from '@slack/bolt';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { SlackModeration } from '../../../adapters/slack/moderation.ts';
import { SlackUserDirectory } from '../../../adapters/slack/user-directory.ts';

function directory(answers: Record<string, unknown>) {
  let now = 0;
  const asked: string[] = [];
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        asked.push(user);
        const answer = answers[user];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  } as unknown as webApi.WebClient;
  const users = new SlackUserDirectory({ client, logger: pino({ level: 'silent' }), now: () => now });
  return { users, asked, advance: (ms: number) => (now += ms) };
}

test('an admin is looked up once, then again after ten minutes', async () => {
  const d = directory({ U0ADMIN: { ok: true, user: { id: 'U0ADMIN', is_admin: true, locale: 'en-GB' } } });
  const moderation = new SlackModeration({ users: d.users, adminUsers: [] });
  const actor = { teamId: 'T1', userId: 'U0ADMIN' };
  expect(await moderation.mayActOnAnswer(actor, 'U0ALICE')).toBe(true);
  d.advance(9 * 60_000);
  expect(await moderation.mayChangeChannelSettings(actor, 'C1')).toBe(true);
  expect(d.asked).toEqual(['U0ADMIN']);
  d.advance(2 * 60_000);
  expect(await moderation.isAdmin(actor)).toBe(true);
  expect(d.asked).toEqual(['U0ADMIN', 'U0ADMIN']);
  expect(await d.users.lookup('T1', 'U0ADMIN')).toEqual({ isAdmin: true, locale: 'en-GB' });
});

test('owners count as admins; members do not, except for their own answers', async () => {
  const d = directory({
    U0OWNER: { ok: true, user: { id: 'U0OWNER', is_owner: true, is_admin: false } },
    U0BOB: { ok: true, user: { id: 'U0BOB', is_admin: false } },
  });
  const moderation = new SlackModeration({ users: d.users, adminUsers: [] });
  expect(await moderation.mayActOnAnswer({ teamId: 'T1', userId: 'U0OWNER' }, 'U0ALICE')).toBe(true);
  expect(await moderation.mayActOnAnswer({ teamId: 'T1', userId: 'U0BOB' }, 'U0ALICE')).toBe(false);
  expect(await moderation.mayActOnAnswer({ teamId: 'T1', userId: 'U0BOB' }, 'U0BOB')).toBe(true);
  // A button that names no asker (an older one) is for admins only.
  expect(await moderation.mayActOnAnswer({ teamId: 'T1', userId: 'U0BOB' }, undefined)).toBe(false);
  expect(await moderation.mayChangeChannelSettings({ teamId: 'T1', userId: 'U0BOB' }, 'D0BOB')).toBe(true);
});

test('without users:read nobody is an admin but SLACK_ADMIN_USERS, and the lookup is retried after a minute', async () => {
  const d = directory({ U0ADMIN: new Error('An API error occurred: missing_scope') });
  const moderation = new SlackModeration({ users: d.users, adminUsers: ['U0LEAD'] });
  expect(await moderation.isAdmin({ teamId: 'T1', userId: 'U0ADMIN' })).toBe(false);
  expect(await moderation.isAdmin({ teamId: 'T1', userId: 'U0ADMIN' })).toBe(false);
  expect(d.asked).toEqual(['U0ADMIN']);
  d.advance(61_000);
  await moderation.isAdmin({ teamId: 'T1', userId: 'U0ADMIN' });
  expect(d.asked).toEqual(['U0ADMIN', 'U0ADMIN']);
  expect(await moderation.isAdmin({ teamId: 'T1', userId: 'U0LEAD' })).toBe(true);
  expect(d.asked).toHaveLength(2);
});
