import { expect, test } from 'vitest';
import { botScopesOf, manifestBotScopes } from '../../../adapters/slack/manifest-scopes.ts';

test("the repository's manifest.yaml yields its bot scopes, without the comments between them", () => {
  const scopes = manifestBotScopes();
  expect(scopes).toEqual(expect.arrayContaining(['app_mentions:read', 'chat:write', 'files:read', 'commands']));
  expect(scopes.every((s) => /^[a-z_.]+(:[a-z_.]+)?$/.test(s))).toBe(true);
});

test('only oauth_config.scopes.bot counts: user scopes and later sections are left out', () => {
  const manifest = [
    'features:',
    '  bot_user:',
    '    display_name: Gemini',
    'oauth_config:',
    '  scopes:',
    '    bot:',
    '      # why this one',
    '      - chat:write',
    '      - "files:read"   # and this',
    '    user:',
    '      - search:read',
    'settings:',
    '  socket_mode_enabled: false',
  ].join('\n');
  expect(botScopesOf(manifest)).toEqual(['chat:write', 'files:read']);
});

test('a flow list works too', () => {
  expect(botScopesOf('oauth_config:\n  scopes:\n    bot: [chat:write, commands]\n')).toEqual(['chat:write', 'commands']);
});

test('a manifest without bot scopes is an error, not an empty list that would pass every check', () => {
  expect(() => botScopesOf('oauth_config:\n  scopes:\n    user:\n      - search:read\n')).toThrow(/oauth_config\.scopes\.bot/);
  expect(() => botScopesOf('display_information:\n  name: Gemini\n')).toThrow(/oauth_config\.scopes\.bot/);
});
