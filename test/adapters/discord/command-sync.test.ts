/**
 * The comparison behind the start-up sync and `npm run doctor`: what Discord returns
 * for the code's own commands counts as current, whatever extra fields and defaults it
 * adds; any real change (wording, options, localizations, permissions, contexts) counts
 * as a difference, and each command that differs is named.
 */
import { ApplicationCommandOptionType, type RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import { expect, test } from 'vitest';
import { commandDefinitions } from '../../../adapters/discord/commands.ts';
import { compareCommands } from '../../../adapters/discord/command-sync.ts';

/** A command as Discord's GET …/commands?with_localizations=true returns it. */
const asDiscordReturns = (command: Record<string, unknown>) => ({
  id: '1300000000000000001',
  application_id: '1300000000000000000',
  version: '1300000000000000002',
  type: 1,
  name_localizations: null,
  description_localizations: null,
  default_member_permissions: null,
  dm_permission: true,
  contexts: null,
  integration_types: [0],
  nsfw: false,
  ...command,
  ...(Array.isArray(command.options)
    ? { options: command.options.map(({ required, autocomplete, ...o }: Record<string, unknown>) => ({ ...o, ...(required ? { required } : {}), ...(autocomplete ? { autocomplete } : {}) })) }
    : {}),
});

const defined: RESTPutAPIApplicationCommandsJSONBody = [
  {
    name: 'model',
    description: 'Pick a model',
    name_localizations: { de: 'modell' },
    default_member_permissions: '32',
    contexts: [1, 0],
    options: [{ type: ApplicationCommandOptionType.String, name: 'name', description: 'The model', required: false, autocomplete: true }],
  },
];

test("Discord's answer for the code's commands is current despite ids, defaults and left-out false flags", () => {
  const registered = commandDefinitions.map((c) => asDiscordReturns(c as unknown as Record<string, unknown>));
  expect(compareCommands(commandDefinitions, registered)).toEqual({ state: 'current' });
  expect(compareCommands(defined, [asDiscordReturns({ ...defined[0], contexts: [0, 1], default_member_permissions: '32' })])).toEqual({ state: 'current' });
});

test('changed wording, options, localizations, permissions and contexts are each named', () => {
  const base = defined[0] as unknown as Record<string, unknown>;
  const cases: [Record<string, unknown>, string][] = [
    [{ description: 'Choose a model' }, '/model: description differs'],
    [{ name_localizations: { de: 'modell', fr: 'modèle' } }, '/model: name_localizations differs'],
    [{ default_member_permissions: null }, '/model: default_member_permissions differs'],
    [{ contexts: [0] }, '/model: contexts differs'],
    [{ options: [{ type: ApplicationCommandOptionType.String, name: 'name', description: 'The model', required: true, autocomplete: true }] }, '/model: options differs'],
  ];
  for (const [change, difference] of cases) {
    expect(compareCommands(defined, [asDiscordReturns({ ...base, ...change })])).toEqual({
      state: 'differs',
      differences: [difference],
      missing: [],
      outdated: ['model'],
      unknown: [],
    });
  }
});

test('a command missing from Discord, one it has in addition, and nothing registered at all', () => {
  const missing = { state: 'differs', differences: ['/model is not registered'], missing: ['model'], outdated: [], unknown: [] };
  expect(compareCommands(defined, [])).toEqual(missing);
  expect(compareCommands(defined, null)).toEqual(missing);
  expect(compareCommands(defined, [asDiscordReturns(defined[0] as unknown as Record<string, unknown>), asDiscordReturns({ name: 'old', description: 'Gone' })])).toEqual({
    state: 'differs',
    differences: ['/old is registered but no longer defined'],
    missing: [],
    outdated: [],
    unknown: ['old'],
  });
  expect(compareCommands(defined, { unexpected: true })).toMatchObject({ state: 'differs', differences: ['Discord returned commands in an unexpected shape'] });
});

test('a message context-menu command as Discord lists it (an empty description, no options) is current; only its type tells it from a slash command of the same name', () => {
  const askAbout = commandDefinitions.find((c) => c.type === 3);
  expect(askAbout).toBeDefined();
  const listed = { ...(askAbout as unknown as Record<string, unknown>), description: '' };
  expect(compareCommands([askAbout!], [asDiscordReturns(listed)])).toEqual({ state: 'current' });
  expect(compareCommands([askAbout!], [asDiscordReturns({ ...listed, type: 1 })])).toEqual({
    state: 'differs',
    differences: [`"${askAbout!.name}" (message menu) is not registered`, `/${askAbout!.name} is registered but no longer defined`],
    missing: [askAbout!.name],
    outdated: [],
    unknown: [askAbout!.name],
  });
});

/** The code's own commands as Discord lists them, with `change` applied to the one named. */
const listedWith = (changes: Record<string, (command: Record<string, unknown>) => Record<string, unknown>> = {}) =>
  commandDefinitions.map((c) => {
    const listed = asDiscordReturns(c as unknown as Record<string, unknown>);
    return changes[c.name]?.(listed) ?? listed;
  });

test('nothing registered: every command of the code is missing, by name', () => {
  expect(compareCommands(commandDefinitions, [])).toMatchObject({ state: 'differs', missing: commandDefinitions.map((c) => c.name), outdated: [], unknown: [] });
});

test('several commands out of date are each named: a description, a place of use, an option', () => {
  const registered = listedWith({
    model: (c) => ({ ...c, description: 'Pick a model' }),
    reset: (c) => ({ ...c, contexts: [0] }),
    ask: (c) => ({ ...c, options: (c.options as Record<string, unknown>[]).map((o) => (o.name === 'prompt' ? { ...o, max_length: 2000 } : o)) }),
  });
  expect(compareCommands(commandDefinitions, registered)).toMatchObject({ state: 'differs', missing: [], outdated: ['model', 'reset', 'ask'], unknown: [] });
});

test('a translation Discord has that the code no longer sends is a difference; the order of places of use is not', () => {
  const registered = listedWith({
    model: (c) => ({ ...c, description_localizations: { 'zh-TW': '選擇模型' } }),
    reset: (c) => ({ ...c, contexts: Array.isArray(c.contexts) ? [...(c.contexts as number[])].reverse() : c.contexts }),
  });
  expect(compareCommands(commandDefinitions, registered)).toMatchObject({ state: 'differs', outdated: ['model'], differences: ['/model: description_localizations differs'] });
});
