/**
 * What the fake Discord says about the bot's application and account, for
 * `npm run doctor`: the servers the bot is in (`GET /users/@me/guilds`) and the
 * slash commands registered (`GET /applications/{id}/commands`, and per guild).
 *
 * Shapes follow discord/discord-api-spec: MyGuildResponse (`permissions` is the
 * bot's total in that server as a string, without channel overwrites) and
 * ApplicationCommandResponse, where `default_member_permissions` is always
 * present (null when unset) and an option's `required` and `autocomplete` may
 * be absent: the fake takes the stricter reading and leaves them out when
 * false, as a client that compares bytes would then see a difference.
 */
import { memberPermissions } from './world.ts';
import type { RestResponse, Route } from './rest.ts';
import type { FakeDiscordState } from './state.ts';

const ID = '(\\d{17,20})';
const missingAccess: RestResponse = { status: 403, body: { message: 'Missing Access', code: 50001 } };

type Fields = Record<string, unknown>;

/** A localization map as listed: only with `with_localizations=true`, then `null` when there is none. */
function localizations(fields: Fields, withLocalizations: boolean): Fields {
  if (!withLocalizations) return {};
  return { name_localizations: fields.name_localizations ?? null, description_localizations: fields.description_localizations ?? null };
}

function listedOption(option: Fields, withLocalizations: boolean): Fields {
  const { required, autocomplete, name_localizations: _n, description_localizations: _d, options, ...rest } = option;
  return {
    ...rest,
    ...(required === true ? { required: true } : {}),
    ...(autocomplete === true ? { autocomplete: true } : {}),
    ...localizations(option, withLocalizations),
    ...(Array.isArray(options) ? { options: options.map((o: Fields) => listedOption(o, withLocalizations)) } : {}),
  };
}

/** A stored command as GET lists it: Discord's defaults filled in, false flags left out. */
function listedCommand(command: Fields, withLocalizations: boolean): Fields {
  const { name_localizations: _n, description_localizations: _d, options, ...rest } = command;
  return {
    ...rest,
    default_member_permissions: rest.default_member_permissions ?? null,
    nsfw: rest.nsfw ?? false,
    contexts: rest.contexts ?? null,
    integration_types: rest.integration_types ?? [0],
    ...localizations(command, withLocalizations),
    ...(Array.isArray(options) ? { options: options.map((o: Fields) => listedOption(o, withLocalizations)) } : {}),
  };
}

/** The latest registration (PUT) of that scope; a PUT replaces the whole list, so older ones no longer count. */
function listCommands(state: FakeDiscordState, guildId: string | undefined, query: URLSearchParams): RestResponse {
  const latest = state.registeredCommands.findLast((registration) => registration.guildId === guildId);
  const withLocalizations = query.get('with_localizations') === 'true';
  return { status: 200, body: (latest?.commands ?? []).map((c) => listedCommand(c as Fields, withLocalizations)) };
}

export const applicationRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/users\/@me\/guilds$/,
    auth: true,
    handler: (state) => {
      const { world } = state;
      return {
        status: 200,
        body: !world.botInGuild
          ? []
          : [
              {
                id: world.guildId,
                name: 'Test Guild',
                icon: null,
                banner: null,
                owner: false,
                permissions: memberPermissions(world, world.bot).toString(),
                features: [],
              },
            ],
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/applications/${ID}/commands$`),
    auth: true,
    handler: (state, [applicationId], request) =>
      applicationId === state.world.applicationId ? listCommands(state, undefined, request.query) : missingAccess,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/applications/${ID}/guilds/${ID}/commands$`),
    auth: true,
    handler: (state, [applicationId, guildId], request) =>
      applicationId === state.world.applicationId && guildId === state.world.guildId ? listCommands(state, guildId, request.query) : missingAccess,
  },
];
