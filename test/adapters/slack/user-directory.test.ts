/**
 * The one users.info cache of the Slack adapter: names, admin flags and locale
 * from a single call per user, shared by callers asking at the same moment.
 */
import type { webApi } from '@slack/bolt';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { SlackUserDirectory } from '../../../adapters/slack/user-directory.ts';

function directory(answers: Record<string, unknown>) {
  const asked: { user: string; include_locale: unknown }[] = [];
  const client = {
    users: {
      info: async (args: { user: string; include_locale?: boolean }) => {
        asked.push({ user: args.user, include_locale: args.include_locale });
        const answer = answers[args.user];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  } as unknown as webApi.WebClient;
  return { users: new SlackUserDirectory({ client, logger: pino({ level: 'silent' }) }), asked };
}

test('a name and admin status come from one users.info call, with the locale asked for', async () => {
  const d = directory({
    U0ADMIN: { ok: true, user: { id: 'U0ADMIN', name: 'ada', real_name: 'Ada Lovelace', profile: { display_name: 'Ada', real_name: 'Ada Lovelace' }, is_admin: true, locale: 'en-GB' } },
  });
  expect(await d.users.nameOf('T1', 'U0ADMIN')).toBe('Ada');
  expect(await d.users.lookup('T1', 'U0ADMIN')).toEqual({ name: 'Ada', isAdmin: true, locale: 'en-GB' });
  expect(d.asked).toEqual([{ user: 'U0ADMIN', include_locale: true }]);
});

test('an empty display name falls back to the real name, then the handle', async () => {
  const d = directory({
    U0BOB: { ok: true, user: { id: 'U0BOB', name: 'bob', real_name: 'Bob Builder', profile: { display_name: '', real_name: 'Bob Builder' } } },
    U0EVE: { ok: true, user: { id: 'U0EVE', name: 'eve', profile: { display_name: ' ' } } },
  });
  expect(await d.users.nameOf('T1', 'U0BOB')).toBe('Bob Builder');
  expect(await d.users.nameOf('T1', 'U0EVE')).toBe('eve');
});

test('callers asking about the same person at once share one call', async () => {
  const d = directory({ U0ALICE: { ok: true, user: { id: 'U0ALICE', name: 'alice' } } });
  const answers = await Promise.all([d.users.nameOf('T1', 'U0ALICE'), d.users.lookup('T1', 'U0ALICE'), d.users.nameOf('T1', 'U0ALICE')]);
  expect(answers[0]).toBe('alice');
  expect(answers[1]?.isAdmin).toBe(false);
  expect(d.asked).toHaveLength(1);
});

test('a user Slack will not describe is named by id', async () => {
  const d = directory({ U0GONE: new Error('An API error occurred: user_not_found') });
  expect(await d.users.nameOf('T1', 'U0GONE')).toBe('U0GONE');
  expect(await d.users.lookup('T1', 'U0GONE')).toBeUndefined();
});
