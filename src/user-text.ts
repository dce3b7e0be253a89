/**
 * Every sentence a chat user reads from the bot, in one place. Adapters render
 * these; nothing else writes apologies. Markdown (the core's markup).
 */
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
  busy: 'I am still answering earlier messages in this conversation. Send this again once I am done.',
  interrupted: '⚠️ *Interrupted: the bot restarted before this answer finished. Ask again to retry.*',
  storeUnavailable: 'My memory store is unavailable right now, so I cannot answer. Try again in a minute.',
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
  /** Someone pressed Stop or asked to reset a conversation that another person started. */
  onlyAskerMay: (action: 'stop' | 'reset', moderators: string) =>
    `Only the person who asked, or ${moderators}, can ${action === 'stop' ? 'stop this answer' : 'reset this conversation'}.`,
  /** Who may act on anyone's answer, per platform (for `onlyAskerMay`). */
  answerModerators: { discord: 'members with the **Manage Messages** permission', slack: 'workspace admins' },
  /** Slack: someone who is not a workspace admin tried to set a channel's default model. */
  channelModelNeedsAdmin: "Only workspace admins can change this channel's default model. Use the model picker under an answer to change that thread's model.",
  attachmentSkipped: (name: string, reason: string) => `⚠️ I could not use **${name}**: ${reason}. I answered the text without it.`,
  attachmentTooLarge: (limitMb: number) => `it is larger than the ${limitMb} MB limit`,
  attachmentUnsupported: (contentType: string | undefined) =>
    `its type (${contentType ?? 'unknown'}) is not an image or video the model accepts`,
  attachmentUnreachable: 'it could not be downloaded',
  /** Slack answers a file download without the files:read scope with its sign-in page, not an error. */
  attachmentMissingScope: (scope: string) => `the bot is missing the \`${scope}\` scope, so Slack would not hand the file over. Ask the operator to add it and reinstall the app`,
  attachmentForeignHost: 'it is not stored on Slack, so I did not download it',
  usageFooter: (model: string, usage: { promptTokens: number; completionTokens: number; reasoningTokens: number }) =>
    `-# ${model} · ${usage.promptTokens} in · ${usage.completionTokens} out (${usage.reasoningTokens} reasoning)`,
  notAllowed: 'Sorry, I am not enabled here.',
  missingPermission: (permission: string) => `I am missing the **${permission}** permission here, so I cannot answer.`,
  internalError: 'Something went wrong on my side. The operator can find the details in the logs.',
  /** Label of the button that stops an answer while it streams (Discord). */
  stopButton: 'Stop',
  /** Label of the button under a finished Slack answer that starts the thread's conversation afresh. */
  newConversationButton: 'New conversation',
  /** Placeholder of the model picker (Slack). */
  modelPickerPlaceholder: 'Model',
  modelPickerCurrent: (model: string) => `${model} (current)`,
  /** A thread's name when the question has no text (only attachments). */
  threadNameFallback: 'Question for Gemini',
  /** A member without the permission tried to change a channel-wide setting. */
  needsPermission: (permission: string) => `Only members with the **${permission}** permission can change this channel's default model. Use /model inside a thread to change that thread's model.`,
} as const;
