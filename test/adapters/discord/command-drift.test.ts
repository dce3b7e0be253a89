import { expect, test } from 'vitest';
import { commandDrift } from '../../../adapters/discord/command-drift.ts';
import { commandDefinitions } from '../../../adapters/discord/commands.ts';

/** A command as Discord lists it: ids and defaults added, false flags left out, localizations null. */
function asListed(command: Record<string, unknown>, id: number): Record<string, unknown> {
  const options = (command.options as Record<string, unknown>[] | undefined)?.map(({ required, autocomplete, ...rest }) => ({
    ...rest,
    ...(required === true ? { required } : {}),
    ...(autocomplete === true ? { autocomplete } : {}),
    name_localizations: null,
    description_localizations: null,
  }));
  return {
    id: String(1000 + id),
    application_id: '1000000000000000000',
    version: '1000000000000000001',
    default_member_permissions: null,
    nsfw: false,
    name_localizations: null,
    description_localizations: null,
    ...command,
    ...(options ? { options } : {}),
  };
}

const listed = () => commandDefinitions.map((c, i) => asListed(c as unknown as Record<string, unknown>, i));

test("the bot's commands as Discord lists them count as current", () => {
  expect(commandDrift(commandDefinitions, listed())).toEqual({ missing: [], outdated: [], unknown: [] });
});

test('nothing registered: every command is missing', () => {
  expect(commandDrift(commandDefinitions, [])).toEqual({ missing: commandDefinitions.map((c) => c.name), outdated: [], unknown: [] });
});

test('a changed description, option or place of use makes a command out of date', () => {
  const registered = listed();
  registered[0] = { ...registered[0], description: 'Pick a model' };
  registered[1] = { ...registered[1], contexts: [0] };
  const ask = registered[2] as { options: Record<string, unknown>[] };
  registered[2] = { ...ask, options: ask.options.map((o) => (o.name === 'prompt' ? { ...o, max_length: 2000 } : o)) };
  expect(commandDrift(commandDefinitions, registered)).toEqual({ missing: [], outdated: ['model', 'reset', 'ask'], unknown: [] });
});

test('a translation Discord has that the bot no longer sends is a difference; order of places of use is not', () => {
  const registered = listed();
  registered[0] = { ...registered[0], description_localizations: { 'zh-TW': '選擇模型' } };
  registered[1] = { ...registered[1], contexts: [...(registered[1]?.contexts as number[])].reverse() };
  expect(commandDrift(commandDefinitions, registered)).toEqual({ missing: [], outdated: ['model'], unknown: [] });
});

test('a registered command the bot no longer defines is reported by name', () => {
  const registered = [...listed(), { id: '1', name: 'imagine', description: 'Draw', type: 1 }];
  expect(commandDrift(commandDefinitions, registered).unknown).toEqual(['imagine']);
});
