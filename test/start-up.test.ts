import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });

test('npm start with no platform says which settings are missing for Discord and for Slack', () => {
  const result = run({ LLM_API_KEY: 'k' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('DISCORD_TOKEN');
  expect(result.stderr).toContain('SLACK_BOT_TOKEN');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('a bad setting is named with the reason, without a stack trace', () => {
  const result = run({ LLM_API_KEY: 'k', DISCORD_TOKEN: 't', DISCORD_API_BASE: 'ftp://nope' });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/DISCORD_API_BASE: must be an http\(s\) URL/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('a missing API key is named', () => {
  const result = run({ DISCORD_TOKEN: 't' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('LLM_API_KEY');
});
