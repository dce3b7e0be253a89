import { expect, test } from 'vitest';
import { isAllowed } from '../../../adapters/discord/access.ts';
import { expiresAt } from '../../../adapters/discord/attachments.ts';
import { rejectScheduledWrites } from '../../../adapters/discord/client.ts';
import { threadName } from '../../../adapters/discord/thread-name.ts';

test('a thread is named after the question on one line, cut to 100 characters', () => {
  expect(threadName('  what is\n\na monad?  ', 'fallback')).toBe('what is a monad?');
  const name = threadName('x'.repeat(150), 'fallback');
  expect(Array.from(name)).toHaveLength(100);
  expect(name.endsWith('…')).toBe(true);
  expect(Array.from(threadName('😀'.repeat(120), 'f')).length).toBeLessThanOrEqual(100);
  expect(threadName('   ', 'fallback')).toBe('fallback');
});

const none = { guilds: [], channels: [], roles: [], users: [] };
const inGuild = { guildId: 'G', channelIds: ['C'], userId: 'U', roleIds: ['R'] };

test('allowlists: empty lists allow everyone; set lists must all pass', () => {
  expect(isAllowed(none, inGuild)).toBe(true);
  expect(isAllowed({ ...none, guilds: ['other'] }, inGuild)).toBe(false);
  expect(isAllowed({ ...none, channels: ['C'] }, inGuild)).toBe(true);
  expect(isAllowed({ ...none, channels: ['P'] }, { ...inGuild, channelIds: ['T', 'P'] })).toBe(true);
  expect(isAllowed({ ...none, roles: ['R'] }, inGuild)).toBe(true);
  expect(isAllowed({ ...none, roles: ['X'] }, inGuild)).toBe(false);
  expect(isAllowed({ ...none, roles: ['X'], users: ['U'] }, inGuild)).toBe(true);
});

test('in DMs a guild, channel or role allowlist lets in only the people named in USERS', () => {
  const dm = { guildId: undefined, channelIds: ['D'], userId: 'U', roleIds: [] };
  expect(isAllowed(none, dm)).toBe(true);
  expect(isAllowed({ ...none, guilds: ['G'] }, dm)).toBe(false);
  expect(isAllowed({ ...none, guilds: ['G'], users: ['U'] }, dm)).toBe(true);
  expect(isAllowed({ ...none, users: ['V'] }, dm)).toBe(false);
});

test('only message creates and edits (and interaction webhook writes) are handed back on a rate limit', () => {
  const data = (method: string, route: string) => ({ method, route }) as Parameters<typeof rejectScheduledWrites>[0];
  expect(rejectScheduledWrites(data('PATCH', '/channels/:id/messages/:id'))).toBe(true);
  expect(rejectScheduledWrites(data('post', '/channels/:id/messages'))).toBe(true);
  expect(rejectScheduledWrites(data('PATCH', '/webhooks/:id/:token/messages/@original'))).toBe(true);
  expect(rejectScheduledWrites(data('POST', '/channels/:id/messages/:id/threads'))).toBe(false);
  expect(rejectScheduledWrites(data('PUT', '/channels/:id/messages/:id/reactions/:reaction/@me'))).toBe(false);
  expect(rejectScheduledWrites(data('GET', '/channels/:id/messages/:id'))).toBe(false);
});

test('a CDN URL’s expiry is read from its hex `ex` parameter', () => {
  expect(expiresAt('https://cdn.discordapp.com/attachments/1/2/a.png?ex=6740a1b0&is=673f5030&hm=ab&')).toBe(0x6740a1b0 * 1000);
  expect(expiresAt('https://example.com/a.png')).toBeUndefined();
});
