/**
 * Slash commands, autocomplete and the Stop button. Commands answer within
 * Discord's 3 s (deferring when the work runs long); replies about settings are
 * ephemeral. `/ask` defers, then streams its answer into the deferred reply.
 */
import {
  MessageFlags,
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../src/config.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { TurnRequest } from '../../src/conversation/types.ts';
import { userText } from '../../src/user-text.ts';
import { isAllowed } from './access.ts';
import { attachmentRef, type DiscordAttachments } from './attachments.ts';
import { COMMAND, MAX_CHOICES, OPTION } from './commands.ts';
import { channelKey, conversationOfChannel, conversationOfReplyChain } from './conversation-ids.ts';
import { turnIdOfStop } from './stop-button.ts';
import { InteractionSurface } from './surface.ts';

/** Defer a reply whose work has not finished by then, well inside Discord's 3 s. */
const DEFER_AFTER_MS = 2000;
const NO_PINGS = { parse: [], repliedUser: false } as const;

type Place =
  | { readonly kind: 'thread' | 'dm'; readonly conversationId: string; readonly channelId: string }
  | { readonly kind: 'channel'; readonly guildId: string; readonly rawChannelId: string; readonly channelId: string };

export class InteractionHandler {
  readonly #client: Client<true>;
  readonly #core: ConversationCore;
  readonly #config: DiscordConfig;
  readonly #attachments: DiscordAttachments;
  readonly #log: Logger;

  constructor(opts: { client: Client<true>; core: ConversationCore; config: DiscordConfig; attachments: DiscordAttachments; logger: Logger }) {
    this.#client = opts.client;
    this.#core = opts.core;
    this.#config = opts.config;
    this.#attachments = opts.attachments;
    this.#log = opts.logger;
  }

  async handle(interaction: Interaction): Promise<void> {
    const allowed = this.#allowed(interaction);
    if (interaction.isAutocomplete()) return interaction.respond(allowed ? await this.#choices(interaction) : []);
    if (interaction.isButton()) return this.#button(interaction, allowed);
    if (!interaction.isChatInputCommand()) return;
    if (!allowed) {
      await interaction.reply({ content: userText.notAllowed, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
      return;
    }
    switch (interaction.commandName) {
      case COMMAND.model:
        return this.#model(interaction);
      case COMMAND.reset:
        return this.#reset(interaction);
      case COMMAND.ask:
        return this.#ask(interaction);
      default:
        this.#log.warn({ command: interaction.commandName }, 'unknown command: the registered slash commands are outdated (a restart syncs them)');
    }
  }

  async #choices(interaction: AutocompleteInteraction): Promise<{ name: string; value: string }[]> {
    const typed = String(interaction.options.getFocused()).toLowerCase();
    const place = this.#place(interaction);
    const current = await this.#currentModel(place).catch(() => undefined);
    return this.#core.models
      .filter((model) => model.toLowerCase().includes(typed))
      .slice(0, MAX_CHOICES)
      .map((model) => ({ name: model === current ? `${model} (current)` : model, value: model }));
  }

  async #model(interaction: ChatInputCommandInteraction): Promise<void> {
    const place = this.#place(interaction);
    const chosen = interaction.options.getString(OPTION.name);
    await this.#answerSoon(interaction, true, async () => {
      if (!chosen) return userText.modelList(this.#core.models, await this.#currentModel(place));
      if (place.kind !== 'channel') {
        const change = await this.#core.setModel({ conversationId: place.conversationId }, chosen);
        return change.ok ? userText.modelSetForConversation(change.model) : change.userText;
      }
      const mayManage =
        this.#config.channelModelPermission === 'everyone' || interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels) === true;
      if (!mayManage) return userText.needsPermission('Manage Channels');
      const change = await this.#core.setModel({ channelId: place.channelId }, chosen);
      return change.ok ? userText.modelSetForChannel(change.model) : change.userText;
    });
  }

  async #reset(interaction: ChatInputCommandInteraction): Promise<void> {
    const place = this.#place(interaction);
    if (place.kind === 'channel') {
      await interaction.reply({ content: userText.resetSuggestNewThread, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
      return;
    }
    // Everyone in the thread should see that its history is gone: not ephemeral.
    await this.#answerSoon(interaction, false, async () => {
      await this.#core.reset(place.conversationId);
      return userText.resetDone;
    });
  }

  async #ask(interaction: ChatInputCommandInteraction): Promise<void> {
    await interaction.deferReply();
    const place = this.#place(interaction);
    const image = interaction.options.getAttachment(OPTION.image);
    const request: TurnRequest = {
      turnId: interaction.id,
      conversationId:
        place.kind === 'channel' ? conversationOfReplyChain(place.guildId, place.rawChannelId, interaction.id) : place.conversationId,
      channelId: place.channelId,
      author: { id: interaction.user.id, name: interaction.user.displayName },
      text: interaction.options.getString(OPTION.prompt, true),
      attachments: image ? [attachmentRef(interaction.channelId, interaction.id, image)] : [],
      model: interaction.options.getString(OPTION.model) ?? undefined,
    };
    const surface = new InteractionSurface({
      rest: this.#client.rest,
      applicationId: interaction.applicationId,
      token: interaction.token,
      channelId: interaction.channelId,
      turnId: interaction.id,
    });
    await this.#core.answer(request, { surface, attachments: this.#attachments });
  }

  async #button(interaction: ButtonInteraction, allowed: boolean): Promise<void> {
    const turnId = turnIdOfStop(interaction.customId);
    if (turnId === undefined) return;
    if (!allowed) {
      await interaction.reply({ content: userText.notAllowed, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
      return;
    }
    if (this.#core.stop(turnId)) {
      // The core ends the turn; its final edit says it was stopped and removes the button.
      await interaction.deferUpdate();
      return;
    }
    // Nothing is streaming (finished, or the bot restarted): just take the stale button away.
    await interaction.update({ components: [], allowedMentions: NO_PINGS });
  }

  /** Replies with the work's text; if it takes longer than DEFER_AFTER_MS, defers first so Discord does not time out. */
  async #answerSoon(interaction: ChatInputCommandInteraction, ephemeral: boolean, work: () => Promise<string>): Promise<void> {
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    let deferred: Promise<unknown> | undefined;
    const timer = setTimeout(() => {
      deferred = interaction.deferReply({ ...(flags ? { flags } : {}) }).catch((err: unknown) => this.#log.warn({ err }, 'could not defer'));
    }, DEFER_AFTER_MS);
    let text: string;
    try {
      text = await work();
    } catch (err) {
      this.#log.error({ err, command: interaction.commandName }, 'command failed');
      text = userText.internalError;
    } finally {
      clearTimeout(timer);
    }
    if (deferred) {
      await deferred;
      await interaction.editReply({ content: text, allowedMentions: NO_PINGS });
    } else {
      await interaction.reply({ content: text, ...(flags ? { flags } : {}), allowedMentions: NO_PINGS });
    }
  }

  #currentModel(place: Place): Promise<string> {
    return place.kind === 'channel' ? this.#core.modelFor(place.channelId, place.channelId) : this.#core.modelFor(place.conversationId, place.channelId);
  }

  #place(interaction: ChatInputCommandInteraction | AutocompleteInteraction): Place {
    const channel = interaction.channel;
    const channelId = interaction.channelId ?? '';
    if (!interaction.guildId) {
      const id = conversationOfChannel(undefined, channelId);
      return { kind: 'dm', conversationId: id, channelId: id };
    }
    if (channel?.isThread()) {
      return {
        kind: 'thread',
        conversationId: conversationOfChannel(interaction.guildId, channel.id),
        channelId: channelKey(interaction.guildId, channel.parentId ?? channel.id),
      };
    }
    return { kind: 'channel', guildId: interaction.guildId, rawChannelId: channelId, channelId: channelKey(interaction.guildId, channelId) };
  }

  #allowed(interaction: Interaction): boolean {
    const channel = interaction.channel;
    const channelIds = [interaction.channelId ?? '', ...(channel?.isThread() && channel.parentId ? [channel.parentId] : [])];
    const member = interaction.member;
    const roleIds = !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
    return isAllowed(this.#config.allowed, {
      guildId: interaction.guildId ?? undefined,
      channelIds,
      userId: interaction.user.id,
      roleIds,
    });
  }
}
