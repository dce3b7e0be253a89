/**
 * Slash commands and their autocomplete (buttons: button-handler.ts). Commands
 * answer within Discord's 3 s (deferring when the work runs long); replies about
 * settings are ephemeral. `/ask` defers, then streams its answer into the
 * deferred reply. Who may reset what is moderation.ts's to say.
 */
import {
  MessageFlags,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  type ThreadChannel,
} from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../src/config.ts';
import type { UsageReports } from '../../src/adapter.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { TurnRequest } from '../../src/conversation/types.ts';
import type { LocaleSetting } from '../../src/i18n/locale.ts';
import { userTextIn, type UserText } from '../../src/user-text.ts';
import { isAllowedInteraction } from './access.ts';
import { attachmentRef, type DiscordAttachments } from './attachments.ts';
import { COMMAND, MAX_CHOICES, OPTION } from './commands.ts';
import { channelKey, conversationOfChannel, conversationOfReplyChain, workspaceOf } from './conversation-ids.ts';
import type { LatestReplyChains } from './latest-chain.ts';
import { actorOf, CHANNEL_SETTINGS_PERMISSION, mayActOnAnswer, mayChangeChannelSettings } from './moderation.ts';
import { interactionLocale } from './locale.ts';
import { personaReply, type PersonaPlace } from './persona-command.ts';
import { NO_PINGS, replyPrivately } from './private-reply.ts';
import { InteractionSurface } from './surface.ts';
import { turnPlace } from './turn-place.ts';
import { usageReply } from './usage-command.ts';

/** Defer a reply whose work has not finished by then, well inside Discord's 3 s. */
const DEFER_AFTER_MS = 2000;

type Place =
  | { readonly kind: 'thread' | 'dm'; readonly conversationId: string; readonly channelId: string }
  | { readonly kind: 'channel'; readonly guildId: string; readonly rawChannelId: string; readonly channelId: string };

export class InteractionHandler {
  readonly #client: Client<true>;
  readonly #core: ConversationCore;
  readonly #config: DiscordConfig;
  readonly #attachments: DiscordAttachments;
  readonly #chains: LatestReplyChains;
  readonly #usage: UsageReports;
  readonly #log: Logger;
  readonly #locale: LocaleSetting;

  constructor(opts: {
    client: Client<true>;
    core: ConversationCore;
    config: DiscordConfig;
    attachments: DiscordAttachments;
    chains: LatestReplyChains;
    usage: UsageReports;
    logger: Logger;
    locale: LocaleSetting;
  }) {
    this.#client = opts.client;
    this.#core = opts.core;
    this.#config = opts.config;
    this.#attachments = opts.attachments;
    this.#chains = opts.chains;
    this.#usage = opts.usage;
    this.#log = opts.logger;
    this.#locale = opts.locale;
  }

  async handle(interaction: Interaction): Promise<void> {
    const allowed = isAllowedInteraction(this.#config.allowed, interaction);
    // Each person is answered in their Discord client's language (BOT_LOCALE=auto).
    const texts = userTextIn(interactionLocale(this.#locale, interaction));
    if (interaction.isAutocomplete()) return interaction.respond(allowed ? await this.#choices(interaction, texts) : []);
    if (!interaction.isChatInputCommand()) return;
    if (!allowed) return replyPrivately(interaction, texts.notAllowed);
    switch (interaction.commandName) {
      case COMMAND.model:
        return this.#model(interaction, texts);
      case COMMAND.reset:
        return this.#reset(interaction, texts);
      case COMMAND.ask:
        return this.#ask(interaction, texts);
      case COMMAND.persona:
        return this.#persona(interaction, texts);
      case COMMAND.usage:
        return this.#answerSoon(interaction, true, texts, () =>
          usageReply(interaction, { usage: this.#usage, channelId: this.#place(interaction).channelId, locale: texts.locale, logger: this.#log }),
        );
      default:
        this.#log.warn({ command: interaction.commandName }, 'unknown command: the registered slash commands are outdated (a restart syncs them)');
    }
  }

  async #choices(interaction: AutocompleteInteraction, texts: UserText): Promise<{ name: string; value: string }[]> {
    const typed = String(interaction.options.getFocused()).toLowerCase();
    const place = this.#place(interaction);
    const current = await this.#currentModel(place).catch(() => undefined);
    return this.#core.models
      .filter((model) => model.toLowerCase().includes(typed))
      .slice(0, MAX_CHOICES)
      .map((model) => ({ name: model === current ? texts.modelPickerCurrent(model) : model, value: model }));
  }

  async #model(interaction: ChatInputCommandInteraction, texts: UserText): Promise<void> {
    const place = this.#place(interaction);
    const chosen = interaction.options.getString(OPTION.name);
    await this.#answerSoon(interaction, true, texts, async () => {
      if (!chosen) {
        const persona = await this.#core.personaFor(...this.#lookup(place));
        const list = texts.modelList(this.#core.models, await this.#currentModel(place));
        return persona === undefined ? list : `${list}\n${texts.modelListPersona(persona)}`;
      }
      if (place.kind !== 'channel') {
        const change = await this.#core.setModel({ conversationId: place.conversationId }, chosen, texts.locale);
        return change.ok ? texts.modelSetForConversation(change.model) : change.userText;
      }
      if (!mayChangeChannelSettings(actorOf(interaction), this.#config.channelModelPermission)) {
        return texts.needsPermission(CHANNEL_SETTINGS_PERMISSION);
      }
      const change = await this.#core.setModel({ channelId: place.channelId }, chosen, texts.locale);
      return change.ok ? texts.modelSetForChannel(change.model) : change.userText;
    });
  }

  async #persona(interaction: ChatInputCommandInteraction, texts: UserText): Promise<void> {
    const place = this.#place(interaction);
    const [conversationId, channelId] = this.#lookup(place);
    const persona: PersonaPlace =
      place.kind === 'channel'
        ? { target: { channelId }, where: 'channel', lookup: { conversationId, channelId } }
        : { target: { conversationId }, where: place.kind === 'thread' ? 'thread' : 'conversation', lookup: { conversationId, channelId } };
    // A DM has no one to ask permission of; in a server the channel's rule applies, in its threads too.
    const mayChange = place.kind === 'dm' || mayChangeChannelSettings(actorOf(interaction), this.#config.channelModelPermission);
    await this.#answerSoon(interaction, true, texts, () => personaReply(interaction, { core: this.#core, place: persona, mayChange, texts }));
  }


  /**
   * `/reset` forgets one conversation and says so only when it did: in a thread, the
   * thread's (if it is the person's, or they moderate); in a channel in reply mode, the
   * newest reply chain the person started there; in a channel in thread mode nothing,
   * because no conversation lives in the channel itself.
   */
  async #reset(interaction: ChatInputCommandInteraction, texts: UserText): Promise<void> {
    const place = this.#place(interaction);
    if (place.kind === 'channel') {
      if (this.#config.replyMode !== 'reply') return replyPrivately(interaction, texts.resetUseInThread);
      const owner = { guildId: place.guildId, channelId: place.rawChannelId, userId: interaction.user.id };
      return this.#answerSoon(interaction, true, texts, async () => {
        const latest = await this.#chains.latest(owner);
        if (latest === undefined) return texts.resetNothingHere;
        await this.#core.reset(latest);
        this.#log.info({ conversation: latest }, 'conversation reset');
        return texts.resetLatestChain;
      });
    }
    if (place.kind === 'thread' && interaction.channel?.isThread()) {
      const asker = await this.#threadStarter(interaction.channel);
      if (!mayActOnAnswer(actorOf(interaction), asker)) {
        return replyPrivately(interaction, texts.onlyAskerMay('reset', texts.answerModerators.discord));
      }
    }
    // Everyone in the thread should see that its history is gone: not ephemeral.
    await this.#answerSoon(interaction, false, texts, async () => {
      await this.#core.reset(place.conversationId);
      return texts.resetDone;
    });
  }

  async #ask(interaction: ChatInputCommandInteraction, texts: UserText): Promise<void> {
    await interaction.deferReply();
    const place = this.#place(interaction);
    const image = interaction.options.getAttachment(OPTION.image);
    const conversationId =
      place.kind === 'channel' ? conversationOfReplyChain(place.guildId, place.rawChannelId, interaction.id) : place.conversationId;
    if (place.kind === 'channel') {
      // A new reply chain, rooted at this command: the person's newest in the channel.
      await this.#chains
        .remember({ guildId: place.guildId, channelId: place.rawChannelId, userId: interaction.user.id }, conversationId)
        .catch((err: unknown) => this.#log.warn({ err }, 'could not record the newest reply chain; /reset in the channel will not find it'));
    }
    const request: TurnRequest = {
      turnId: interaction.id,
      conversationId,
      channelId: place.channelId,
      author: { id: interaction.user.id, name: interaction.user.displayName },
      text: interaction.options.getString(OPTION.prompt, true),
      attachments: image ? [attachmentRef(interaction.channelId, interaction.id, image)] : [],
      model: interaction.options.getString(OPTION.model) ?? undefined,
      place: turnPlace(interaction.channel, this.#client),
      workspaceId: interaction.guildId ? workspaceOf(interaction.guildId) : undefined,
      locale: texts.locale,
    };
    const surface = new InteractionSurface({
      locale: texts.locale,
      rest: this.#client.rest,
      applicationId: interaction.applicationId,
      token: interaction.token,
      channelId: interaction.channelId,
      turnId: interaction.id,
      askerId: interaction.user.id,
      chainRoot: place.kind === 'channel' ? interaction.id : undefined,
    });
    await this.#core.answer(request, { surface, attachments: this.#attachments });
  }

  /** Replies with the work's text; if it takes longer than DEFER_AFTER_MS, defers first so Discord does not time out. */
  async #answerSoon(interaction: ChatInputCommandInteraction, ephemeral: boolean, texts: UserText, work: () => Promise<string>): Promise<void> {
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
      text = texts.internalError;
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

  /** The conversation and channel whose settings apply here (a channel stands for itself). */
  #lookup(place: Place): [conversationId: string, channelId: string] {
    return place.kind === 'channel' ? [place.channelId, place.channelId] : [place.conversationId, place.channelId];
  }

  /** Who a thread's conversation belongs to: whoever started the thread, or the author of the message the bot started it from. */
  async #threadStarter(thread: ThreadChannel): Promise<string | undefined> {
    if (thread.ownerId && thread.ownerId !== this.#client.user.id) return thread.ownerId;
    const starter = await thread.fetchStarterMessage().catch((err: unknown) => {
      this.#log.debug({ err, thread: thread.id }, 'could not read the message a thread was started from');
      return null;
    });
    return starter?.author.id;
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

}

