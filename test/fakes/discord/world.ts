/**
 * The state of the fake Discord: one guild with a text channel, a few users,
 * DM channels, threads and every message, in the API's own JSON shapes
 * (discord-api-types v10), so discord.js parses them as it would real ones.
 */
import { ApplicationFlags, PermissionFlagsBits } from 'discord-api-types/v10';

const DISCORD_EPOCH = 1_420_070_400_000n;

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: '0';
  avatar: null;
  bot?: boolean;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
}

export interface FakeChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  parent_id?: string | null;
  owner_id?: string;
  recipients?: FakeUser[];
  thread_metadata?: Record<string, unknown>;
  member_count?: number;
  message_count?: number;
  permission_overwrites?: unknown[];
  position?: number;
  last_message_id?: string | null;
  rate_limit_per_user?: number;
  flags?: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  member?: Record<string, unknown>;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: false;
  mention_everyone: boolean;
  mentions: FakeUser[];
  mention_roles: string[];
  attachments: FakeAttachment[];
  embeds: unknown[];
  components: unknown[];
  pinned: false;
  type: number;
  flags: number;
  /** `type` 0 is a reply (or a thread starter's pointer), 1 a forward (MessageReferenceType). */
  message_reference?: { type: 0 | 1; message_id: string; channel_id: string; guild_id?: string };
  referenced_message?: FakeMessage | null;
  /** A forward's copy of the message it forwards (discord-api-spec MessageSnapshotResponse). */
  message_snapshots?: { message: FakeSnapshot }[];
  interaction_metadata?: Record<string, unknown>;
  webhook_id?: string;
  application_id?: string;
}

/** What a forward copies of a message (discord-api-spec MinimalContentMessageResponse). */
export type FakeSnapshot = Pick<
  FakeMessage,
  'type' | 'content' | 'mentions' | 'mention_roles' | 'attachments' | 'embeds' | 'timestamp' | 'edited_timestamp' | 'flags' | 'components'
>;

/** Permissions the bot and everyone get by default: what the invite URL asks for, minus nothing. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseApplicationCommands;

/** Builds snowflakes the way Discord does (ms since 2015 << 22, plus an increment), so they are 18–19 digits. */
export class SnowflakeSource {
  #increment = 0n;
  #now: () => number;
  constructor(now: () => number) {
    this.#now = now;
  }
  next(): string {
    this.#increment = (this.#increment + 1n) & 0xfffn;
    return (((BigInt(Math.floor(this.#now())) - DISCORD_EPOCH) << 22n) | this.#increment).toString();
  }
}

export function user(id: string, username: string, bot = false): FakeUser {
  return { id, username, global_name: bot ? null : username, discriminator: '0', avatar: null, ...(bot ? { bot: true } : {}) };
}

/** The people and places every fake Discord starts with. */
export interface World {
  readonly bot: FakeUser;
  readonly applicationId: string;
  readonly guildId: string;
  /** A text channel in the guild where people mention the bot. */
  readonly channelId: string;
  /** A role whose members may manage channels. */
  readonly modRoleId: string;
  /** A role whose members may manage other people's messages. */
  readonly messageModRoleId: string;
  readonly alice: FakeUser;
  /** Another member, with no special permissions. */
  readonly bob: FakeUser;
  /** A member with the mod role (Manage Channels). */
  readonly mod: FakeUser;
  /** A member with the message-mod role (Manage Messages). */
  readonly moderator: FakeUser;
  /** Another bot in the guild, whose messages must be ignored. */
  readonly otherBot: FakeUser;
  readonly channels: Map<string, FakeChannel>;
  readonly messages: Map<string, FakeMessage>;
  /** Role ids of each guild member. */
  readonly memberRoles: Map<string, string[]>;
  /** Server nicknames (a member's `nick`), by user id; members without one have none. */
  readonly nicknames: Map<string, string>;
  everyonePermissions: bigint;
  /**
   * The application's flags (`GET /applications/@me`, READY's `application`). By default the
   * Message Content intent is on as the portal's toggle sets it for a bot in under 100 servers
   * (GATEWAY_MESSAGE_CONTENT_LIMITED, 1 << 19); 0 is a bot whose owner never turned it on.
   */
  applicationFlags: number;
  /**
   * The language each user's Discord client is set to, sent as an interaction's `locale`
   * (discord-api-docs interactions/receiving-and-responding.mdx); en-US when unset.
   */
  readonly userLocales: Map<string, string>;
  /** The server's preferred locale (`preferred_locale` in GUILD_CREATE, an interaction's `guild_locale`); en-US by default. */
  guildLocale: string;
  /** Whether the bot was added to the test server (`GET /users/@me/guilds` lists it); false is a bot nobody invited yet. */
  botInGuild: boolean;
}

export function createWorld(ids: SnowflakeSource): World {
  const bot = user(ids.next(), 'Gemini', true);
  const guildId = ids.next();
  const channelId = ids.next();
  const modRoleId = ids.next();
  const messageModRoleId = ids.next();
  const alice = user(ids.next(), 'alice');
  const mod = user(ids.next(), 'mod');
  const otherBot = user(ids.next(), 'otherbot', true);
  const bob = user(ids.next(), 'bob');
  const moderator = user(ids.next(), 'moderator');
  const channels = new Map<string, FakeChannel>();
  channels.set(channelId, {
    id: channelId,
    type: 0,
    guild_id: guildId,
    name: 'general',
    parent_id: null,
    position: 0,
    permission_overwrites: [],
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  });
  const memberRoles = new Map<string, string[]>([
    [bot.id, []],
    [alice.id, []],
    [mod.id, [modRoleId]],
    [otherBot.id, []],
    [bob.id, []],
    [moderator.id, [messageModRoleId]],
  ]);
  return {
    bot,
    applicationId: bot.id,
    guildId,
    channelId,
    modRoleId,
    messageModRoleId,
    alice,
    bob,
    mod,
    moderator,
    otherBot,
    channels,
    messages: new Map(),
    memberRoles,
    nicknames: new Map(),
    everyonePermissions: DEFAULT_EVERYONE_PERMISSIONS,
    applicationFlags: ApplicationFlags.GatewayMessageContentLimited,
    userLocales: new Map(),
    guildLocale: 'en-US',
    botInGuild: true,
  };
}

export function memberPayload(world: World, u: FakeUser): Record<string, unknown> {
  return {
    user: u,
    roles: world.memberRoles.get(u.id) ?? [],
    joined_at: '2026-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
    nick: world.nicknames.get(u.id) ?? null,
  };
}

/** Every user of the fake (members of its guild), for lookups by id. */
export function usersOf(world: World): FakeUser[] {
  return [world.bot, world.alice, world.bob, world.mod, world.moderator, world.otherBot];
}

/** The member's permissions in a channel, as Discord computes them for interactions (no overwrites here). */
export function memberPermissions(world: World, u: FakeUser): bigint {
  let permissions = world.everyonePermissions;
  const roles = world.memberRoles.get(u.id) ?? [];
  if (roles.includes(world.modRoleId)) permissions |= PermissionFlagsBits.ManageChannels;
  if (roles.includes(world.messageModRoleId)) permissions |= PermissionFlagsBits.ManageMessages;
  return permissions;
}

export function guildCreatePayload(world: World): Record<string, unknown> {
  const guildChannels = [...world.channels.values()].filter((c) => c.guild_id === world.guildId && c.type !== 11);
  const threads = [...world.channels.values()].filter((c) => c.guild_id === world.guildId && c.type === 11);
  return {
    id: world.guildId,
    name: 'Test Guild',
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: world.mod.id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id: world.guildId,
        name: '@everyone',
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: world.everyonePermissions.toString(),
        managed: false,
        mentionable: false,
        flags: 0,
      },
      {
        id: world.modRoleId,
        name: 'Mods',
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 1,
        permissions: PermissionFlagsBits.ManageChannels.toString(),
        managed: false,
        mentionable: false,
        flags: 0,
      },
      {
        id: world.messageModRoleId,
        name: 'Message mods',
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 2,
        permissions: PermissionFlagsBits.ManageMessages.toString(),
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: world.guildLocale,
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    stickers: [],
    joined_at: '2026-01-01T00:00:00.000Z',
    large: false,
    unavailable: false,
    member_count: 6,
    voice_states: [],
    members: [memberPayload(world, world.bot)],
    channels: guildChannels,
    threads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A Discord CDN URL with the signed expiry parameters (`ex` = expiry as hex unix seconds). */
export function cdnUrl(channelId: string, attachmentId: string, filename: string, expiresAtMs: number): string {
  const ex = Math.floor(expiresAtMs / 1000).toString(16);
  const is = Math.floor((expiresAtMs - 86_400_000) / 1000).toString(16);
  return `https://cdn.discordapp.com/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}?ex=${ex}&is=${is}&hm=${'ab'.repeat(32)}&`;
}
