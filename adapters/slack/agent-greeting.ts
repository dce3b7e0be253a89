/**
 * The agent experience's welcome: a DM opened on the app's Messages tab
 * (`app_home_opened` with `tab: "messages"`, which replaces `assistant_thread_started`
 * there: docs.slack.dev "Migrating to the Agent messaging experience") gets a short
 * greeting with the suggested questions as buttons, at most once in 24 hours per person.
 * The day is remembered in the store's de-duplication records, so it holds across
 * restarts and instances.
 */
import type { types, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SuggestedPrompt } from '../../src/config.ts';
import type { EventDeduper } from '../../src/store/dedupe.ts';
import type { UserText } from '../../src/user-text.ts';
import { toMrkdwn } from './mrkdwn.ts';

const GREETING_EVERY_MS = 24 * 3600_000;

/** The buttons' action ids: `suggested_question_<n>` (ids are unique within a block). */
export const SUGGESTED_QUESTION_ACTION = /^suggested_question_\d+$/;
export const GREETING_BLOCK = 'agent_greeting';

export function greetingBlocks(prompts: readonly SuggestedPrompt[], texts: UserText): types.KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(texts.agentGreeting) } },
    {
      type: 'actions',
      block_id: GREETING_BLOCK,
      elements: prompts.map((prompt, i) => ({
        type: 'button',
        action_id: `suggested_question_${i}`,
        text: { type: 'plain_text', text: prompt.title },
        value: prompt.message,
      })),
    },
  ];
}

export interface AgentGreetingOptions {
  readonly client: webApi.WebClient;
  readonly dedupe: EventDeduper;
  /** SLACK_SUGGESTED_PROMPTS; undefined: the bot's own, in the greeted person's language. */
  readonly prompts: readonly SuggestedPrompt[] | undefined;
}

export class AgentGreeting {
  readonly #o: AgentGreetingOptions;

  constructor(opts: AgentGreetingOptions) {
    this.#o = opts;
  }

  /** Greets `user` in their DM `channel`, in their language, unless they were greeted in the last 24 hours. True if greeted. */
  async greet(where: { teamId: string; user: string; channel: string }, log: Logger, texts: UserText): Promise<boolean> {
    let first: boolean;
    try {
      first = await this.#o.dedupe.firstSeen(`slack:greeting:${where.teamId}:${where.user}`, GREETING_EVERY_MS);
    } catch (err) {
      // Greeting twice is worse than not greeting: someone opening their DM often would get it each time.
      log.warn({ err }, 'could not tell whether this person was greeted today; not greeting');
      return false;
    }
    if (!first) return false;
    const prompts = this.#o.prompts ?? texts.suggestedPrompts;
    const fallback = [toMrkdwn(texts.agentGreeting), ...prompts.map((p) => `• ${p.title}`)].join('\n');
    await this.#o.client.chat.postMessage({ channel: where.channel, text: fallback, blocks: greetingBlocks(prompts, texts) });
    return true;
  }
}
