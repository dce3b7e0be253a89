/**
 * Whether the slash commands Discord has registered are the ones this bot
 * defines (commands.ts), compared by meaning rather than by bytes: Discord
 * answers with fields the bot never sent (`id`, `version`,
 * `default_member_permissions: null`, `nsfw: false`) and leaves out what is
 * false or empty (`required`, `autocomplete`; the response schemas of
 * discord/discord-api-spec `ApplicationCommand*OptionResponse` mark them
 * optional), so both sides are reduced to one canonical form first.
 *
 * `npm run doctor` calls only `commandDrift`; a start-up sync with its own
 * comparison can take its place behind the same signature.
 */
import { z } from 'zod';

export interface CommandDrift {
  /** Defined by the bot, not registered. */
  readonly missing: readonly string[];
  /** Registered, but not as the bot defines it now (a description, an option, where it may be used). */
  readonly outdated: readonly string[];
  /** Registered, but no longer defined by the bot. */
  readonly unknown: readonly string[];
}

/** What the doctor needs of each registered command; the rest is compared loosely, field by field. */
export const registeredCommandsSchema = z.array(z.looseObject({ name: z.string(), type: z.number().optional() }));

type Fields = Readonly<Record<string, unknown>>;

const asFields = (value: unknown): Fields => (typeof value === 'object' && value !== null ? (value as Fields) : {});
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const sorted = (value: unknown): unknown[] => asList(value).toSorted();

/** Localizations: absent, `null` and `{}` all mean "none"; keys in a fixed order. */
function localizations(value: unknown): Fields | null {
  const entries = Object.entries(asFields(value)).toSorted(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/** What commands and options share: how they are named and described, in every language. */
function canonicalWords(f: Fields): Fields {
  return {
    name: f.name,
    description: f.description ?? '',
    name_localizations: localizations(f.name_localizations),
    description_localizations: localizations(f.description_localizations),
  };
}

function canonicalOption(value: unknown): Fields {
  const o = asFields(value);
  return {
    type: o.type,
    ...canonicalWords(o),
    required: o.required ?? false,
    autocomplete: o.autocomplete ?? false,
    choices: asList(o.choices).map((c) => {
      const choice = asFields(c);
      return { name: choice.name, value: choice.value, name_localizations: localizations(choice.name_localizations) };
    }),
    channel_types: sorted(o.channel_types),
    min_value: o.min_value ?? null,
    max_value: o.max_value ?? null,
    min_length: o.min_length ?? null,
    max_length: o.max_length ?? null,
    options: asList(o.options).map(canonicalOption),
  };
}

function canonicalCommand(value: unknown): Fields {
  const c = asFields(value);
  return {
    type: c.type ?? 1,
    ...canonicalWords(c),
    default_member_permissions: c.default_member_permissions ?? null,
    nsfw: c.nsfw ?? false,
    contexts: c.contexts == null ? null : sorted(c.contexts),
    // Discord's default when a command names none: installable to servers (0).
    integration_types: c.integration_types == null ? [0] : sorted(c.integration_types),
    options: asList(c.options).map(canonicalOption),
  };
}

/** Commands are told apart by type and name: a slash command and a context-menu command may share a name. */
const keyOf = (command: Fields) => `${String(command.type)}:${String(command.name)}`;

export function commandDrift(defined: readonly unknown[], registered: readonly unknown[]): CommandDrift {
  const wanted = new Map(defined.map((c) => canonicalCommand(c)).map((c) => [keyOf(c), c]));
  const actual = new Map(registered.map((c) => canonicalCommand(c)).map((c) => [keyOf(c), c]));
  const missing: string[] = [];
  const outdated: string[] = [];
  for (const [key, command] of wanted) {
    const found = actual.get(key);
    if (found === undefined) missing.push(String(command.name));
    else if (JSON.stringify(found) !== JSON.stringify(command)) outdated.push(String(command.name));
  }
  const unknown = [...actual].filter(([key]) => !wanted.has(key)).map(([, command]) => String(command.name));
  return { missing, outdated, unknown };
}
