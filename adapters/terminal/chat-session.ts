/**
 * One terminal conversation: plain lines are questions, `/…` lines are commands.
 * Keeps the attachments named with `/attach` for the next question.
 */
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { AttachmentRef } from '../../src/conversation/types.ts';
import type { Locale } from '../../src/i18n/locale.ts';
import { userTextIn, type UserText } from '../../src/user-text.ts';
import { describeAttachment, localAttachments } from './local-attachments.ts';
import { TerminalSurface } from './terminal-surface.ts';

const CONVERSATION = 'terminal:local';
const CHANNEL = 'terminal';
/** The system prompt's `{platform}` and `{channel}` here. */
const TERMINAL = { platform: 'a terminal', channel: 'a one-to-one chat' } as const;

export const HELP = [
  'Type a message and press Enter. Commands:',
  '  /model NAME     use another model for this conversation',
  '  /models         list the models on offer',
  '  /reset          forget this conversation',
  '  /attach PATH|URL  attach an image or video to your next message',
  '  /quit           leave (Ctrl-C stops an answer; Ctrl-D leaves)',
].join('\n');

export class ChatSession {
  readonly #core: ConversationCore;
  readonly #out: NodeJS.WritableStream;
  readonly #texts: UserText;
  #pending: AttachmentRef[] = [];
  #turns = 0;
  #currentTurn: string | undefined;

  /** `locale`: BOT_LOCALE, or the terminal's own language (terminal-locale.ts). */
  constructor(core: ConversationCore, out: NodeJS.WritableStream, locale: Locale = 'en') {
    this.#core = core;
    this.#out = out;
    this.#texts = userTextIn(locale);
  }

  /** Stops the answer being written, if any (Ctrl-C). */
  stopAnswer(): boolean {
    return this.#currentTurn !== undefined && this.#core.stop(this.#currentTurn);
  }

  /** Handles one line; resolves once its answer is complete. Returns false when the user asked to leave. */
  async handle(line: string): Promise<boolean> {
    const input = line.trim();
    if (input === '') return true;
    if (!input.startsWith('/')) {
      await this.#ask(input);
      return true;
    }
    const [command = '', ...rest] = input.split(/\s+/);
    const argument = rest.join(' ');
    switch (command) {
      case '/quit':
      case '/exit':
        return false;
      case '/help':
        this.#say(HELP);
        return true;
      case '/models': {
        const current = await this.#core.modelFor(CONVERSATION, CHANNEL);
        this.#say(this.#texts.modelList(this.#core.models, current));
        return true;
      }
      case '/model': {
        if (argument === '') {
          this.#say(this.#texts.modelList(this.#core.models, await this.#core.modelFor(CONVERSATION, CHANNEL)));
          return true;
        }
        const change = await this.#core.setModel({ conversationId: CONVERSATION }, argument, this.#texts.locale);
        this.#say(change.ok ? this.#texts.modelSetForConversation(change.model) : change.userText);
        return true;
      }
      case '/reset':
        await this.#core.reset(CONVERSATION);
        this.#pending = [];
        this.#say(this.#texts.resetDone);
        return true;
      case '/attach':
        try {
          const attachment = await describeAttachment(argument);
          this.#pending.push(attachment);
          this.#say(`Attached ${attachment.name}; it goes with your next message.`);
        } catch (error) {
          this.#say(`Cannot attach ${argument || '(nothing named)'}: ${error instanceof Error ? error.message : String(error)}`);
        }
        return true;
      default:
        this.#say(`Unknown command ${command}.\n${HELP}`);
        return true;
    }
  }

  async #ask(text: string): Promise<void> {
    const turnId = `terminal-${process.pid}-${++this.#turns}`;
    const attachments = this.#pending;
    this.#pending = [];
    this.#currentTurn = turnId;
    try {
      await this.#core.answer(
        { turnId, conversationId: CONVERSATION, channelId: CHANNEL, author: { id: 'local', name: 'you' }, text, attachments, place: TERMINAL, locale: this.#texts.locale },
        { surface: new TerminalSurface(this.#out), attachments: localAttachments },
      );
    } finally {
      this.#currentTurn = undefined;
    }
  }

  #say(text: string): void {
    this.#out.write(`${text}\n`);
  }
}
