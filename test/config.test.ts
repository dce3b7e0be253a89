import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfig, SETTING_NAMES } from '../src/config.ts';

describe('configuration', () => {
  test('an empty environment gives the documented defaults', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.llm.apiBase).toBe('https://api.xhuoapi.ai/v1/gemini');
    expect(result.config.llm.models).toEqual(['gemini-2.5-pro', 'gemini-3.0-pro', 'gemini-3.1-pro']);
    expect(result.config.llm.defaultModel).toBe('gemini-2.5-pro');
    expect(result.config.storeUrl).toBe('sqlite://./data/bot.sqlite');
    expect(result.config.discord).toBeUndefined();
    expect(result.config.slack).toBeUndefined();
    expect(result.config.missing.discord).toEqual(['DISCORD_TOKEN']);
  });

  test('a malformed URL names the setting and why', () => {
    const result = loadConfig({ LLM_API_BASE: 'not a url' });
    expect(result).toEqual({ ok: false, problems: [expect.stringMatching(/^LLM_API_BASE: .*URL/)] });
  });

  test('an unknown default model names the setting and the models on offer', () => {
    const result = loadConfig({ LLM_MODELS: 'a,b', LLM_DEFAULT_MODEL: 'c' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toContain('LLM_DEFAULT_MODEL');
    expect(result.problems[0]).toContain('a, b');
  });

  test('a bad value never echoes the secret', () => {
    const result = loadConfig({ SLACK_BOT_TOKEN: 'xoxp-secret-user-token' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('secret-user-token');
  });

  test('a Slack bot token without a signing secret or app token says what is missing', () => {
    const result = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join()).toMatch(/SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/);
  });

  test('platform settings switch the platforms on', () => {
    const result = loadConfig({ DISCORD_TOKEN: 't', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PORT: '4000', DISCORD_REPLY_MODE: 'reply' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.discord?.replyMode).toBe('reply');
    expect(result.config.slack?.port).toBe(4000);
  });

  test('.env.example lists every setting the bot reads, each with a comment above it', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8').split('\n');
    const listed = example.flatMap((line, i) => {
      const name = /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
      return name ? [{ name, commented: example.slice(0, i).reverse().find((l) => !/^[A-Z]/.test(l))?.startsWith('#') ?? false }] : [];
    });
    expect(listed.map((l) => l.name).sort()).toEqual([...SETTING_NAMES].sort());
    expect(listed.filter((l) => !l.commented)).toEqual([]);
  });
});

test('BOT_LOCALE is auto by default, takes en, zh-TW and zh-CN, and refuses anything else by name', () => {
  const base = { LLM_API_KEY: 'k' };
  const auto = loadConfig(base);
  expect(auto.ok && auto.config.locale).toBe('auto');
  const fixed = loadConfig({ ...base, BOT_LOCALE: 'zh-TW' });
  expect(fixed.ok && fixed.config.locale).toBe('zh-TW');
  const wrong = loadConfig({ ...base, BOT_LOCALE: 'zh_TW' });
  expect(wrong.ok).toBe(false);
  if (!wrong.ok) expect(wrong.problems).toEqual(['BOT_LOCALE: must be auto, en, zh-TW or zh-CN']);
});
