/**
 * Every sentence a chat user reads from the bot, in one place. Adapters render
 * these; nothing else writes apologies. Markdown (the core's markup).
 */
import { formatTime } from './conversation/system-prompt.ts';
import type { RegenerateOutcome } from './conversation/types.ts';
import type { QuotaScope, UsageToday, WorkspaceKind } from './quota/token-quotas.ts';
import type { UpstreamErrorKind } from './upstream/errors.ts';

const withTrace = (text: string, traceId: string | undefined) =>
  traceId ? `${text} (trace id \`${traceId}\`)` : text;

/** Text shown for an upstream failure of each kind. */
export function upstreamErrorText(
  kind: UpstreamErrorKind,
  facts: { model: string; traceId: string | undefined; detail?: string | undefined },
): string {
  const text: Record<UpstreamErrorKind, string> = {
    'bad-request': `The model service refused the request${facts.detail ? `: ${facts.detail}` : ''}.`,
    'not-implemented': `The model service does not support this with \`${facts.model}\`${facts.detail ? ` (${facts.detail})` : ''}. Try another model with /model.`,
    unauthorized: "The bot's API key is not accepted by the model service. Tell the bot's operator.",
    'rate-limited': 'The model service is busy right now. Try again in a minute.',
    unavailable: 'The model service is not answering right now. Try again in a minute.',
    'broken-stream': 'The answer was cut off. Ask again to retry.',
    timeout: 'The model took too long to answer. Ask again to retry.',
  };
  return withTrace(text[kind], facts.traceId);
}

const tokens = (n: number) => n.toLocaleString('en-US');

/** `5 h 20 min`, `20 min`, `less than a minute`: how long until a reset. */
function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** When a quota resets, as the people of TZ read it and as a countdown for everyone else. */
export interface ResetTime {
  readonly resetsAt: number;
  readonly now: number;
  readonly timeZone: string;
}

/** A question not sent upstream because a daily token limit was reached, one whole sentence per limit. */
function quotaReached(scope: QuotaScope, workspace: WorkspaceKind, used: number, limit: number, reset: ResetTime): string {
  const at = formatTime(reset.resetsAt, reset.timeZone);
  const wait = duration(reset.resetsAt - reset.now);
  const kept = 'I did not send your question to the model, but I kept it in the conversation.';
  if (scope === 'user') return `You have used ${tokens(used)} of your ${tokens(limit)} tokens for today. ${kept} Your limit resets at ${at}, in ${wait}.`;
  if (scope === 'channel') return `This channel has used ${tokens(used)} of its ${tokens(limit)} tokens for today. ${kept} The channel's limit resets at ${at}, in ${wait}.`;
  return workspace === 'server'
    ? `This server has used ${tokens(used)} of its ${tokens(limit)} tokens for today. ${kept} The server's limit resets at ${at}, in ${wait}.`
    : `This workspace has used ${tokens(used)} of its ${tokens(limit)} tokens for today. ${kept} The workspace's limit resets at ${at}, in ${wait}.`;
}

/** What `/usage` shows: `top` holds names (only for admins), the rest comes from `UsageToday`. */
export interface UsageReport extends ResetTime {
  readonly today: UsageToday;
  readonly workspaceKind: WorkspaceKind;
  readonly top?: readonly { readonly name: string; readonly tokens: number }[] | undefined;
}

function usageReport(report: UsageReport): string {
  const { user, channel, workspace } = report.today;
  const server = report.workspaceKind === 'server';
  const lines = [
    user.limit > 0
      ? `**You** have used ${tokens(user.used)} of your ${tokens(user.limit)} tokens today.`
      : `**You** have used ${tokens(user.used)} tokens today. There is no daily limit per person.`,
  ];
  if (channel.limit > 0) lines.push(`**This channel** has used ${tokens(channel.used)} of its ${tokens(channel.limit)} tokens today.`);
  if (workspace && (workspace.limit > 0 || report.top)) {
    if (workspace.limit > 0) {
      lines.push(server
        ? `**This server** has used ${tokens(workspace.used)} of its ${tokens(workspace.limit)} tokens today.`
        : `**This workspace** has used ${tokens(workspace.used)} of its ${tokens(workspace.limit)} tokens today.`);
    } else {
      lines.push(server
        ? `**This server** has used ${tokens(workspace.used)} tokens today. There is no daily limit for the server.`
        : `**This workspace** has used ${tokens(workspace.used)} tokens today. There is no daily limit for the workspace.`);
    }
  }
  lines.push(`The counts start again at ${formatTime(report.resetsAt, report.timeZone)}, in ${duration(report.resetsAt - report.now)}.`);
  // The ranking last, after a blank line: Markdown would read a line after a list as part of its last item.
  if (report.top) {
    lines.push('');
    if (report.top.length === 0) lines.push(server ? 'Nobody in this server has used any tokens today.' : 'Nobody in this workspace has used any tokens today.');
    else {
      lines.push(server ? 'Most tokens in this server today:' : 'Most tokens in this workspace today:');
      lines.push(...report.top.map((entry, i) => `${i + 1}. ${entry.name}: ${tokens(entry.tokens)} tokens`));
    }
  }
  return lines.join('\n');
}

export const userText = {
  /** Shown while the model reasons and nothing is written yet; `heading` is its latest bold heading. */
  thinking: (heading: string | undefined) => (heading ? `💭 *Thinking: ${heading}…*` : '💭 *Thinking…*'),
  /** Title above reasoning kept in `full` mode. */
  reasoningTitle: '💭 Reasoning',
  stopped: '⏹️ *Stopped.*',
  emptyAnswer: '*The model finished without writing an answer. Ask again, perhaps in other words.*',
  finishedEarly: (reason: string) => `⚠️ *The model stopped early (${reason}).*`,
  interruptedByShutdown: '⚠️ *Interrupted: the bot is restarting. Ask again in a moment.*',
  cutAtLength: '✂️ *The answer reached the length limit and was cut here.*',
  /** Appended when the upstream stream failed after text was already shown. */
  failedMidway: (text: string) => `⚠️ ${text}`,
  /** A question turned away because too many wait in its conversation; it is kept in history as not answered. */
  busy: 'I am still answering earlier messages in this conversation, so I did not answer this one. I kept it in the conversation: ask again once I am done.',
  interrupted: '⚠️ *Interrupted: the bot restarted before this answer finished. Ask again to retry.*',
  /** The store is down; the question is kept in memory and stored as not answered once the store is back. */
  storeUnavailable: 'My memory store is unavailable right now, so I cannot answer. I kept your message and will add it to the conversation once the store is back: ask again in a minute.',
  /** The turn's lock expired (the store stopped answering) mid-answer: another instance may answer the conversation now. */
  interruptedLockLost: '⚠️ *Interrupted: I lost contact with my memory store while writing this. Ask again to retry.*',
  unknownModel: (model: string, models: readonly string[]) =>
    `There is no model called \`${model}\`. On offer: ${models.map((m) => `\`${m}\``).join(', ')}.`,
  modelSetForConversation: (model: string) => `This conversation now uses \`${model}\`.`,
  modelSetForChannel: (model: string) => `This channel now uses \`${model}\` by default.`,
  modelList: (models: readonly string[], current: string) =>
    `Models on offer:\n${models.map((m) => (m === current ? `• \`${m}\` (current)` : `• \`${m}\``)).join('\n')}`,
  resetDone: 'Conversation reset. I have forgotten everything said here before.',
  /** Discord, reply mode: `/reset` in a channel forgot the newest reply chain this person started there. */
  resetLatestChain: 'Conversation reset: I have forgotten your latest conversation in this channel.',
  /** Discord, reply mode: `/reset` in a channel where this person started no conversation. */
  resetNothingHere: 'You have no conversation with me in this channel to reset. Mention me to start one.',
  /** Discord, thread mode: `/reset` in a channel, where no conversation lives. */
  resetUseInThread: 'Nothing was reset: each conversation lives in its own thread. Use /reset inside the thread you want me to forget, or mention me here to start a new one.',
  /** Slack: `/reset` runs in channels only, never in the threads conversations live in. */
  resetSlackChannel:
    'Nothing was reset: Slack does not run slash commands inside threads, where conversations live. To start fresh, mention me in a channel to begin a new thread; to make a thread forget, press **New conversation** under my answer there.',
  /** Someone pressed Stop or Regenerate, or asked to reset a conversation, that another person started. */
  onlyAskerMay: (action: 'stop' | 'reset' | 'regenerate', moderators: string) =>
    `Only the person who asked, or ${moderators}, can ${{ stop: 'stop this answer', reset: 'reset this conversation', regenerate: 'regenerate this answer' }[action]}.`,
  /** Who may act on anyone's answer, per platform (for `onlyAskerMay`). */
  answerModerators: { discord: 'members with the **Manage Messages** permission', slack: 'workspace admins' },
  /** Slack: someone who is not a workspace admin tried to set a channel's default model. */
  channelModelNeedsAdmin: "Only workspace admins can change this channel's default model. Use the model picker under an answer to change that thread's model.",
  attachmentSkipped: (name: string, reason: string) => `⚠️ I could not use **${name}**: ${reason}. I answered the text without it.`,
  attachmentTooLarge: (limitMb: number) => `it is larger than the ${limitMb} MB limit`,
  attachmentUnsupported: (contentType: string | undefined) =>
    `its type (${contentType ?? 'unknown'}) is not one I can read (images, videos, PDFs and text files)`,
  /** A file with a text-like name or type whose bytes are not text. */
  documentNotText: 'it is not text I can read (it looks like a binary file)',
  pdfNoText: 'it has no text layer (it looks like a scan), so there is no text I can read',
  pdfEncrypted: 'it is password-protected',
  pdfInvalid: 'it is not a PDF I can open',
  documentBudgetSpent: (maxChars: number) =>
    `the documents before it already fill the ${maxChars.toLocaleString('en-US')} characters of documents I read per message`,
  /** A document read only in part (DOCUMENT_MAX_CHARS, or the file's own size). */
  documentCut: (name: string) => `✂️ **${name}** is longer than I can read at once, so I read only its beginning.`,
  /** Files left out because the message's files together passed ATTACHMENT_TOTAL_MAX_MB. */
  attachmentsOverTotal: (names: readonly string[], limitMb: number) =>
    `⚠️ I left out ${names.map((n) => `**${n}**`).join(', ')}: the files of one message may add up to ${limitMb} MB at most.`,
  /** Older messages of the conversation read from the platform did not fit (CONTEXT_MAX_MESSAGES or the history budget). */
  earlierLeftOut: 'ℹ️ *This conversation is long, so I read only its newest messages.*',
  earlierUnreadable: (failure: 'forbidden' | 'unavailable') =>
    failure === 'forbidden'
      ? '⚠️ *I am not allowed to read the earlier messages here, so I answered from this message alone.*'
      : '⚠️ *I could not read the earlier messages here just now, so I answered from this message alone.*',
  attachmentUnreachable: 'it could not be downloaded',
  attachmentUnreadable: 'something went wrong while I read it',
  /** Slack answers a file download without the files:read scope with its sign-in page, not an error. */
  attachmentMissingScope: (scope: string) => `the bot is missing the \`${scope}\` scope, so Slack would not hand the file over. Ask the operator to add it and reinstall the app`,
  attachmentForeignHost: 'it is not stored on Slack, so I did not download it',
  attachmentNotOnPlatform: (platform: string) => `it is not stored on ${platform}, so I did not download it`,
  usageFooter: (model: string, usage: { promptTokens: number; completionTokens: number; reasoningTokens: number }) =>
    `-# ${model} · ${usage.promptTokens} in · ${usage.completionTokens} out (${usage.reasoningTokens} reasoning)`,
  /** A daily token limit was reached: the question was kept in history as not answered. */
  quotaReached,
  /** `/usage`: today's tokens of the person, and of the channel and workspace where limits or admins make them matter. */
  usageReport,
  notAllowed: 'Sorry, I am not enabled here.',
  missingPermission: (permission: string) => `I am missing the **${permission}** permission here, so I cannot answer.`,
  internalError: 'Something went wrong on my side. The operator can find the details in the logs.',
  /** Label of the button that stops an answer while it streams (Discord). */
  stopButton: 'Stop',
  /** Label of the button under a finished answer that writes it again (Discord, Slack). */
  regenerateButton: 'Regenerate',
  /** The 👍/👎 buttons under a finished answer: their faces, and what a screen reader says (Slack). */
  feedbackButtons: { up: '👍', down: '👎' },
  feedbackLabels: { up: 'Good answer', down: 'Bad answer' },
  /** Below the previous answer, put back because its regeneration failed or wrote nothing; `why` is the error. */
  regenerateKeptPrevious: (why: string) => `⚠️ *I could not write a new answer, so this is the previous one.*${why ? `\n${why}` : ''}`,
  /** Why a Regenerate press did nothing, told privately to the person who pressed it. */
  regenerateRefused: {
    'not-newest': 'Only the newest answer in a conversation can be regenerated, and a later question has been asked since.',
    unknown: 'I no longer have this conversation in my memory (it was reset or has expired), so I cannot regenerate this answer.',
    unchanged: 'There was nothing to regenerate.',
    'too-late': 'There was nothing to regenerate.',
    busy: 'I am still answering in this conversation. Press Regenerate again once I am done.',
    'store-unavailable': 'My memory store is unavailable right now, so I cannot regenerate this answer. Try again in a minute.',
    failed: 'Something went wrong on my side. The operator can find the details in the logs.',
  },
  /** An edited question the answer did not follow, told privately once (Slack). */
  editNotFollowed: (why: 'not-newest' | 'too-late', minutes: number) =>
    why === 'not-newest'
      ? 'You edited an earlier question. I only answer the newest question of a conversation again, so that edit changed nothing: ask in a new message if you want an answer to it.'
      : minutes <= 0
        ? 'I do not answer edited questions again here: ask in a new message if you want a new answer.'
        : `You edited your question more than ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} after asking it, so I did not answer it again: ask in a new message if you want a new answer.`,
  /** A 👍/👎 acknowledged privately to the person who pressed it. */
  feedbackRecorded: (rating: 'up' | 'down', change: 'new' | 'changed' | 'same') => {
    const face = rating === 'up' ? '👍' : '👎';
    if (change === 'changed') return `Changed your vote on this answer to ${face}.`;
    if (change === 'same') return `You already gave this answer a ${face}.`;
    return rating === 'up' ? 'Thanks for the 👍, noted.' : 'Thanks for the 👎, noted. Regenerate may give a better answer.';
  },
  feedbackUnknown: 'I no longer have this answer in my memory (its conversation was reset, or the answer was regenerated), so I could not record your vote.',
  feedbackUnavailable: 'My memory store is unavailable right now, so I could not record your vote. Try again in a minute.',
  /** The message action that asks about a message (Discord's context menu; Slack's shortcut is named in manifest.yaml). */
  askAboutCommand: 'Ask Gemini about this',
  /** The first question of a conversation opened with "Ask Gemini about this": the message goes with it as context. */
  askAboutQuestion: 'What is this message about? Explain it, and add anything that would be useful to know.',
  /** Told privately where the answer about a message is. */
  askAboutWhere: (where: string) => `I am answering about that message in ${where}.`,
  /** Where the answer about a message is, when it is a DM (for `askAboutWhere`). */
  askAboutDmPlace: 'our direct messages',
  /** Discord: a DM's opening line, when the bot could not start a thread where the message is. */
  askAboutInDm: (link: string) => `You asked me about this message: ${link}`,
  /** Slack: the line that opens the thread on a message someone asked about; `asker` is their display name. */
  askAboutOpener: (asker: string) => `💬 ${asker} asked me about this message.`,
  /** Slack: a DM's opening line, when the bot may not write where the message is; `text` is the message's, cut short. */
  askAboutOpenerDm: (author: string, text: string) => `You asked me about this message by ${author}:\n\n${text.split('\n').map((line) => `> ${line}`).join('\n')}`,
  askAboutNothing: 'That message has no text or files I could read, so there is nothing to ask about.',
  askAboutFailed: 'I could neither start a thread there nor write to you directly, so I cannot answer about that message.',
  /** Label of the button under a finished Slack answer that starts the thread's conversation afresh. */
  newConversationButton: 'New conversation',
  /** Placeholder of the model picker (Slack). */
  modelPickerPlaceholder: 'Model',
  modelPickerCurrent: (model: string) => `${model} (current)`,
  /** A thread's name when the question has no text (only attachments). */
  threadNameFallback: 'Question for Gemini',
  /** Slack assistant threads: the status line while the model thinks; Slack shows it after the app's name. */
  assistantThinking: (heading: string | undefined) => (heading ? `is thinking: ${heading.slice(0, 80)}…` : 'is thinking…'),
  /** Slack: the title above the suggested prompts of a new assistant thread. */
  suggestedPromptsTitle: 'Try asking',
  /** Slack: the suggested prompts when SLACK_SUGGESTED_PROMPTS is not set (a label, and the question it asks). */
  suggestedPrompts: [
    { title: 'Explain a concept', message: 'Explain how public-key cryptography works, in plain words and with an everyday example.' },
    { title: 'Summarize a text', message: 'I will paste a text in my next message. Summarize it in five bullet points and list any open questions.' },
    { title: 'Draft a message', message: 'Help me write a short, friendly message telling my team that our release moves by one week.' },
    { title: 'Brainstorm ideas', message: 'Give me ten ideas for a team offsite, one line each, from low-cost to ambitious.' },
  ],
  /** Slack agent experience: the greeting a DM opened on the Messages tab gets, above the suggested questions as buttons. */
  agentGreeting: 'Hi! Ask me anything here: each message starts a conversation of its own, and I remember what was said in its thread. Or pick a question to start:',
  /** The persona (`/persona`) that replaces the system prompt where it was set. */
  personaSet: (where: 'channel' | 'thread' | 'conversation') => `Persona set for this ${where}. My next answers here follow it.`,
  personaCleared: (where: 'channel' | 'thread' | 'conversation') => `Persona cleared: this ${where} is back to the default system prompt.`,
  /** Cut to fit a Discord reply (2,000 characters) with room to spare. */
  personaShown: (persona: string) => `Persona here:\n>>> ${persona.length > 1800 ? `${persona.slice(0, 1800)}…` : persona}`,
  personaNone: 'No persona is set here: I use the default system prompt. Set one with `/persona text:…`.',
  personaEmpty: 'A persona needs some text. To go back to the default, use `/persona clear:True` (or `text: clear`).',
  personaTooLong: (length: number, max: number) =>
    `That persona is ${length.toLocaleString('en-US')} characters long; the most is ${max.toLocaleString('en-US')}. Shorten it and try again.`,
  /** Added under `/model`'s list when a persona applies. */
  modelListPersona: (persona: string) => `Persona: ${persona.length > 200 ? `${persona.slice(0, 200)}…` : persona}`,
  personaNeedsPermission: (permission: string) => `Only members with the **${permission}** permission can change the persona here.`,
  /** Slack: `/persona` alone where none is set (Slack's commands take plain text, not options). */
  personaNoneSlack: 'No persona is set here: I use the default system prompt. Set one with `/persona <text>`; `/persona clear` goes back to the default.',
  /** Slack: the heading above the persona `/persona` shows, quoted whole beneath it. */
  personaHere: 'Persona here:',
  /** Slack: someone who is not a workspace admin tried to change a channel's persona. */
  personaNeedsAdmin: "Only workspace admins can change this channel's persona.",
  /** A member without the permission tried to change a channel-wide setting. */
  needsPermission: (permission: string) => `Only members with the **${permission}** permission can change this channel's default model. Use /model inside a thread to change that thread's model.`,
} as const;

/** What the person who pressed Regenerate is told privately when nothing was written; a regeneration that ran speaks for itself. */
export function regenerateRefusal(outcome: RegenerateOutcome): string | undefined {
  return outcome.type === 'regenerated' ? undefined : userText.regenerateRefused[outcome.type];
}
