import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { MANIFEST_PATH, manifestBotScopes } from '../../../adapters/slack/manifest-scopes.ts';
import { userTextIn } from '../../../src/user-text.ts';

const userText = userTextIn('en');

const manifest = readFileSync(MANIFEST_PATH, 'utf8');

test('manifest.yaml ships the agent experience: agent_view, assistant:write and the agent events the bot listens to', () => {
  expect(manifest).toMatch(/^ {2}agent_view:$/m);
  expect(manifest).not.toMatch(/^\s*assistant_view:/m);
  expect(manifestBotScopes()).toContain('assistant:write');
  for (const event of ['agent_session_stopped', 'app_home_opened', 'message.im']) expect(manifest).toMatch(new RegExp(`^ {6}- ${event.replace('.', '\\.')}$`, 'm'));
});

test("the agent_view's suggested prompts are the bot's default ones (at most four, as Slack allows)", () => {
  const titles = [...manifest.matchAll(/^ {6}- title: (.+)$/gm)].map((m) => m[1]);
  const messages = [...manifest.matchAll(/^ {8}message: (.+)$/gm)].map((m) => m[1]);
  expect(titles).toEqual(userText.suggestedPrompts.map((p) => p.title));
  expect(messages).toEqual(userText.suggestedPrompts.map((p) => p.message));
});
