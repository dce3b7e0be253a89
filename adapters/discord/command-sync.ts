/**
 * Keeps Discord's registered slash commands equal to `commandDefinitions`: reads
 * what is registered (globally, or for DISCORD_GUILD_ID) and, only when it
 * differs, overwrites it in one bulk PUT. Start-up runs `syncCommands`, so a
 * first `npm start` makes `/model` exist and a restart with unchanged commands
 * writes nothing (command creates are limited to 200 a day per scope). `npm run
 * doctor` calls `readCommandState` to report whether they are current.
 *
 * The comparison is semantic: Discord answers with fields the definitions leave
 * out (ids, `version`, `dm_permission`, `nsfw: false`, nulls for unset
 * localizations and permissions, `required` left out when false), so both sides
 * are brought to one canonical form first.
 */
import { Routes, type REST, type RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import { z } from 'zod';
import { commandDefinitions } from './commands.ts';

/** Where commands are registered: to one guild (usable at once) or globally. */
export interface CommandTarget {
  readonly applicationId: string;
  readonly guildId: string | undefined;
}

export type CommandState =
  | { readonly state: 'current' }
  | {
      readonly state: 'differs';
      /** What differs, one phrase each: `/ask is not registered`, `/model: description, options differ`. */
      readonly differences: readonly string[];
      /** Names of commands defined but not registered. */
      readonly missing: readonly string[];
      /** Names of commands registered, but not as defined now. */
      readonly outdated: readonly string[];
      /** Names of commands registered but no longer defined. */
      readonly unknown: readonly string[];
    };

export interface SyncResult {
  readonly scope: 'guild' | 'global';
  /** How the registered commands compared before the sync. */
  readonly before: CommandState;
  /** Whether the commands were overwritten. */
  readonly wrote: boolean;
}

export function commandsRoute(target: CommandTarget): `/${string}` {
  return target.guildId ? Routes.applicationGuildCommands(target.applicationId, target.guildId) : Routes.applicationCommands(target.applicationId);
}

const localizations = z.record(z.string(), z.string().nullable()).nullish();

type RegisteredOption = {
  type: number;
  name: string;
  description?: string | undefined;
  name_localizations?: Record<string, string | null> | null | undefined;
  description_localizations?: Record<string, string | null> | null | undefined;
  required?: boolean | undefined;
  autocomplete?: boolean | undefined;
  choices?: { name: string; name_localizations?: Record<string, string | null> | null | undefined; value: string | number }[] | undefined;
  channel_types?: number[] | undefined;
  min_value?: number | undefined;
  max_value?: number | undefined;
  min_length?: number | undefined;
  max_length?: number | undefined;
  options?: RegisteredOption[] | undefined;
};

const optionSchema: z.ZodType<RegisteredOption> = z.lazy(() =>
  z.object({
    type: z.number(),
    name: z.string(),
    description: z.string().optional(),
    name_localizations: localizations,
    description_localizations: localizations,
    required: z.boolean().optional(),
    autocomplete: z.boolean().optional(),
    choices: z.array(z.object({ name: z.string(), name_localizations: localizations, value: z.union([z.string(), z.number()]) })).optional(),
    channel_types: z.array(z.number()).optional(),
    min_value: z.number().optional(),
    max_value: z.number().optional(),
    min_length: z.number().optional(),
    max_length: z.number().optional(),
    options: z.array(optionSchema).optional(),
  }),
);

/** A command as Discord returns it (GET …/commands?with_localizations=true), or as the code defines it. */
const commandSchema = z.object({
  type: z.number().optional(),
  name: z.string(),
  description: z.string().optional(),
  name_localizations: localizations,
  description_localizations: localizations,
  options: z.array(optionSchema).nullish(),
  default_member_permissions: z.union([z.string(), z.number()]).nullish(),
  contexts: z.array(z.number()).nullish(),
  integration_types: z.array(z.number()).nullish(),
  nsfw: z.boolean().optional(),
});
type Command = z.infer<typeof commandSchema>;

const registeredSchema = z.array(commandSchema).nullable();

/** Localizations with unset ones dropped: `null`, `{}` and a missing field all mean "none". */
function canonicalLocalizations(value: Record<string, string | null> | null | undefined): Record<string, string> {
  const entries = Object.entries(value ?? {}).filter((entry): entry is [string, string] => entry[1] !== null);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

const sortedNumbers = (values: readonly number[]) => [...values].sort((a, b) => a - b);

function canonicalOption(option: RegisteredOption): Record<string, unknown> {
  return {
    type: option.type,
    name: option.name,
    description: option.description ?? '',
    name_localizations: canonicalLocalizations(option.name_localizations),
    description_localizations: canonicalLocalizations(option.description_localizations),
    required: option.required ?? false,
    autocomplete: option.autocomplete ?? false,
    choices: (option.choices ?? []).map((c) => ({ name: c.name, name_localizations: canonicalLocalizations(c.name_localizations), value: c.value })),
    channel_types: sortedNumbers(option.channel_types ?? []),
    min_value: option.min_value ?? null,
    max_value: option.max_value ?? null,
    min_length: option.min_length ?? null,
    max_length: option.max_length ?? null,
    // Options keep their order: Discord shows them in it.
    options: (option.options ?? []).map(canonicalOption),
  };
}

/**
 * The fields of a command that decide how it looks and who may use it, each in one canonical
 * form. `integration_types` is compared only where the code sets it: left out, Discord fills
 * in the application's default.
 */
function canonicalFields(command: Command, compareIntegrationTypes: boolean): Record<string, unknown> {
  const permissions = command.default_member_permissions;
  return {
    type: command.type ?? 1,
    description: command.description ?? '',
    name_localizations: canonicalLocalizations(command.name_localizations),
    description_localizations: canonicalLocalizations(command.description_localizations),
    options: (command.options ?? []).map(canonicalOption),
    default_member_permissions: permissions === null || permissions === undefined ? null : String(permissions),
    contexts: command.contexts ? sortedNumbers(command.contexts) : null,
    ...(compareIntegrationTypes ? { integration_types: sortedNumbers(command.integration_types ?? []) } : {}),
    nsfw: command.nsfw ?? false,
  };
}

/** How a command is named in a difference: `/model` for a slash command, `"Ask Gemini about this" (message menu)` for a context-menu one. */
function label(command: Command): string {
  const type = command.type ?? 1;
  if (type === 1) return `/${command.name}`;
  return `"${command.name}" (${type === 3 ? 'message' : 'user'} menu)`;
}

/** Compares the defined commands with the registered ones (as Discord returned them); says how they differ. */
export function compareCommands(defined: RESTPutAPIApplicationCommandsJSONBody, registered: unknown): CommandState {
  const parsed = registeredSchema.safeParse(registered);
  if (!parsed.success) {
    return { state: 'differs', differences: ['Discord returned commands in an unexpected shape'], missing: [], outdated: [], unknown: [] };
  }
  const wanted = z.array(commandSchema).parse(defined);
  const key = (c: Command) => `${c.type ?? 1}:${c.name}`;
  const have = new Map((parsed.data ?? []).map((c) => [key(c), c]));
  const differences: string[] = [];
  const missing: string[] = [];
  const outdated: string[] = [];
  for (const command of wanted) {
    const existing = have.get(key(command));
    have.delete(key(command));
    if (!existing) {
      missing.push(command.name);
      differences.push(`${label(command)} is not registered`);
      continue;
    }
    const compareIntegrationTypes = command.integration_types !== undefined && command.integration_types !== null;
    const want = canonicalFields(command, compareIntegrationTypes);
    const got = canonicalFields(existing, compareIntegrationTypes);
    const fields = Object.keys(want).filter((field) => JSON.stringify(want[field]) !== JSON.stringify(got[field]));
    if (fields.length > 0) {
      outdated.push(command.name);
      differences.push(`${label(command)}: ${fields.join(', ')} ${fields.length === 1 ? 'differs' : 'differ'}`);
    }
  }
  const extras = [...have.values()];
  const unknown = extras.map((extra) => extra.name);
  for (const extra of extras) differences.push(`${label(extra)} is registered but no longer defined`);
  return differences.length === 0 ? { state: 'current' } : { state: 'differs', differences, missing, outdated, unknown };
}

/** How the registered commands compare with the code's, without changing anything. */
export async function readCommandState(rest: REST, target: CommandTarget, signal?: AbortSignal): Promise<CommandState> {
  const registered: unknown = await rest.get(commandsRoute(target), {
    // Full localization dictionaries, not the `name_localized` of one locale.
    query: new URLSearchParams({ with_localizations: 'true' }),
    ...(signal ? { signal } : {}),
  });
  return compareCommands(commandDefinitions, registered);
}

/** Overwrites the registered commands with the code's in one bulk PUT; returns their names. */
export async function putCommands(rest: REST, target: CommandTarget, signal?: AbortSignal): Promise<string[]> {
  const written = (await rest.put(commandsRoute(target), { body: commandDefinitions, ...(signal ? { signal } : {}) })) as { name: string }[];
  return written.map((c) => c.name);
}

/** Reads the registered commands and overwrites them only if they differ from the code's. */
export async function syncCommands(rest: REST, target: CommandTarget, signal?: AbortSignal): Promise<SyncResult> {
  const scope = target.guildId ? 'guild' : 'global';
  const before = await readCommandState(rest, target, signal);
  if (before.state === 'current') return { scope, before, wrote: false };
  await putCommands(rest, target, signal);
  return { scope, before, wrote: true };
}
