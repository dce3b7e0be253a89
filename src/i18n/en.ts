/**
 * English: every sentence a chat user reads from the bot, as ICU MessageFormat
 * (FormatJS `intl-messageformat`): `{name}` is a value, `{n, number}` a number in
 * the reader's locale, `{n, plural, …}` and `{x, select, …}` choose whole
 * sentences. This catalog defines the keys and the values each takes
 * (src/i18n/messages.ts derives their types from the text); zh-TW.ts and
 * zh-CN.ts must hold the same keys with the same values (test/i18n/catalogs.test.ts).
 * Markup is the core's Markdown. A literal brace is quoted: `'{date}'`.
 */
export const en = {
  // The model service failed (src/upstream/errors.ts kinds); `withTraceId` adds the provider's trace id.
  upstreamBadRequest: 'The model service refused the request.',
  upstreamBadRequestDetail: 'The model service refused the request: {detail}.',
  upstreamNotImplemented: 'The model service does not support this with `{model}`. Try another model with /model.',
  upstreamNotImplementedDetail: 'The model service does not support this with `{model}` ({detail}). Try another model with /model.',
  upstreamUnauthorized: "The bot's API key is not accepted by the model service. Tell the bot's operator.",
  upstreamRateLimited: 'The model service is busy right now. Try again in a minute.',
  upstreamUnavailable: 'The model service is not answering right now. Try again in a minute.',
  upstreamBrokenStream: 'The answer was cut off. Ask again to retry.',
  upstreamTimeout: 'The model took too long to answer. Ask again to retry.',
  withTraceId: '{text} (trace id `{traceId}`)',

  // How long until a reset, and when (the time is formatted for the locale, the zone is TZ's name).
  durationUnderAMinute: 'less than a minute',
  durationMinutes: '{minutes, number} min',
  durationHours: '{hours, number} h',
  durationHoursMinutes: '{hours, number} h {minutes, number} min',
  clockTime: '{time} ({zone})',

  /** A daily token limit was reached; the question was kept in history as not answered. */
  quotaReached:
    "{scope, select, user {You have used {used, number} of your {limit, number} tokens for today. I did not send your question to the model, but I kept it in the conversation. Your limit resets at {at}, in {wait}.} channel {This channel has used {used, number} of its {limit, number} tokens for today. I did not send your question to the model, but I kept it in the conversation. The channel's limit resets at {at}, in {wait}.} server {This server has used {used, number} of its {limit, number} tokens for today. I did not send your question to the model, but I kept it in the conversation. The server's limit resets at {at}, in {wait}.} other {This workspace has used {used, number} of its {limit, number} tokens for today. I did not send your question to the model, but I kept it in the conversation. The workspace's limit resets at {at}, in {wait}.}}",

  // `/usage`: one line each; `place` is `server` (Discord) or `workspace` (Slack).
  usageYouLimited: '**You** have used {used, number} of your {limit, number} tokens today.',
  usageYouUnlimited: '**You** have used {used, number} tokens today. There is no daily limit per person.',
  usageChannel: '**This channel** has used {used, number} of its {limit, number} tokens today.',
  usageWorkspaceLimited:
    '{place, select, server {**This server** has used {used, number} of its {limit, number} tokens today.} other {**This workspace** has used {used, number} of its {limit, number} tokens today.}}',
  usageWorkspaceUnlimited:
    '{place, select, server {**This server** has used {used, number} tokens today. There is no daily limit for the server.} other {**This workspace** has used {used, number} tokens today. There is no daily limit for the workspace.}}',
  usageResets: 'The counts start again at {at}, in {wait}.',
  usageNobody: '{place, select, server {Nobody in this server has used any tokens today.} other {Nobody in this workspace has used any tokens today.}}',
  usageTopTitle: '{place, select, server {Most tokens in this server today:} other {Most tokens in this workspace today:}}',
  usageTopEntry: '{rank}. {name}: {tokens, number} tokens',

  // The live answer: status while the model reasons, notes after it.
  thinkingStatus: '💭 *Thinking…*',
  thinkingHeading: '💭 *Thinking: {heading}…*',
  /** Title above reasoning kept in `full` mode. */
  reasoningTitle: '💭 Reasoning',
  stopped: '⏹️ *Stopped.*',
  emptyAnswer: '*The model finished without writing an answer. Ask again, perhaps in other words.*',
  finishedEarly: '⚠️ *The model stopped early ({reason}).*',
  interruptedByShutdown: '⚠️ *Interrupted: the bot is restarting. Ask again in a moment.*',
  cutAtLength: '✂️ *The answer reached the length limit and was cut here.*',
  /** A question turned away because too many wait in its conversation; it is kept in history as not answered. */
  busy: 'I am still answering earlier messages in this conversation, so I did not answer this one. I kept it in the conversation: ask again once I am done.',
  interrupted: '⚠️ *Interrupted: the bot restarted before this answer finished. Ask again to retry.*',
  /** The store is down; the question is kept in memory and stored as not answered once the store is back. */
  storeUnavailable:
    'My memory store is unavailable right now, so I cannot answer. I kept your message and will add it to the conversation once the store is back: ask again in a minute.',
  /** The turn's lock expired (the store stopped answering) mid-answer: another instance may answer the conversation now. */
  interruptedLockLost: '⚠️ *Interrupted: I lost contact with my memory store while writing this. Ask again to retry.*',
  /** Under an answer with USAGE_FOOTER=true. */
  usageFooter: '-# {model} · {promptTokens, number} in · {completionTokens, number} out ({reasoningTokens, number} reasoning)',

  // Models: `models` is a list the locale formats.
  unknownModel: 'There is no model called `{model}`. On offer: {models}.',
  modelSetForConversation: 'This conversation now uses `{model}`.',
  modelSetForChannel: 'This channel now uses `{model}` by default.',
  modelList: 'Models on offer:\n{models}',
  modelListItem: '• `{model}`',
  modelListCurrentItem: '• `{model}` (current)',
  /** Added under `/model`'s list when a persona applies. */
  modelListPersona: 'Persona: {persona}',
  /** The model picker (Slack) and the autocomplete (Discord) mark the current model. */
  modelPickerCurrent: '{model} (current)',
  modelPickerPlaceholder: 'Model',

  // Resets.
  resetDone: 'Conversation reset. I have forgotten everything said here before.',
  /** Discord, reply mode: `/reset` in a channel forgot the newest reply chain this person started there. */
  resetLatestChain: 'Conversation reset: I have forgotten your latest conversation in this channel.',
  /** Discord, reply mode: `/reset` in a channel where this person started no conversation. */
  resetNothingHere: 'You have no conversation with me in this channel to reset. Mention me to start one.',
  /** Discord, thread mode: `/reset` in a channel, where no conversation lives. */
  resetUseInThread:
    'Nothing was reset: each conversation lives in its own thread. Use /reset inside the thread you want me to forget, or mention me here to start a new one.',
  /** Slack: `/reset` runs in channels only, never in the threads conversations live in. */
  resetSlackChannel:
    'Nothing was reset: Slack does not run slash commands inside threads, where conversations live. To start fresh, mention me in a channel to begin a new thread; to make a thread forget, press **New conversation** under my answer there.',

  // Who may do what.
  /** Someone pressed Stop or Regenerate, or asked to reset a conversation, that another person started. */
  onlyAskerMay:
    'Only the person who asked, or {moderators}, can {action, select, stop {stop this answer} reset {reset this conversation} other {regenerate this answer}}.',
  answerModeratorsDiscord: 'members with the **{permission}** permission',
  answerModeratorsSlack: 'workspace admins',
  /** Slack: someone who is not a workspace admin tried to set a channel's default model. */
  channelModelNeedsAdmin: "Only workspace admins can change this channel's default model. Use the model picker under an answer to change that thread's model.",
  /** A member without the permission tried to change a channel's default model (Discord). */
  needsPermission:
    "Only members with the **{permission}** permission can change this channel's default model. Use /model inside a thread to change that thread's model.",
  notAllowed: 'Sorry, I am not enabled here.',
  missingPermission: 'I am missing the **{permission}** permission here, so I cannot answer.',
  internalError: 'Something went wrong on my side. The operator can find the details in the logs.',
  // Discord's permissions, as its own interface names them.
  permissionManageMessages: 'Manage Messages',
  permissionManageChannels: 'Manage Channels',
  permissionSendMessages: 'Send Messages',
  permissionSendMessagesInThreads: 'Send Messages in Threads',
  permissionCreatePublicThreads: 'Create Public Threads',

  // Attachments: `attachmentSkipped` ends with one of the reasons below it.
  attachmentSkipped: '⚠️ I could not use **{name}**: {reason}. I answered the text without it.',
  attachmentTooLarge: 'it is larger than the {limitMb, number} MB limit',
  attachmentUnsupported: 'its type ({contentType}) is not one I can read (images, videos, PDFs and text files)',
  attachmentUnsupportedUnknown: 'its type (unknown) is not one I can read (images, videos, PDFs and text files)',
  /** A file with a text-like name or type whose bytes are not text. */
  documentNotText: 'it is not text I can read (it looks like a binary file)',
  pdfNoText: 'it has no text layer (it looks like a scan), so there is no text I can read',
  pdfEncrypted: 'it is password-protected',
  pdfInvalid: 'it is not a PDF I can open',
  documentBudgetSpent: 'the documents before it already fill the {maxChars, number} characters of documents I read per message',
  attachmentUnreachable: 'it could not be downloaded',
  attachmentUnreachableStatus: 'it could not be downloaded (HTTP {status})',
  attachmentUnreadable: 'something went wrong while I read it',
  /** Slack answers a file download without the files:read scope with its sign-in page, not an error. */
  attachmentMissingScope:
    'the bot is missing the `{scope}` scope, so Slack would not hand the file over. Ask the operator to add it and reinstall the app',
  attachmentNotOnPlatform: 'it is not stored on {platform}, so I did not download it',
  /** A document read only in part (DOCUMENT_MAX_CHARS, or the file's own size). */
  documentCut: '✂️ **{name}** is longer than I can read at once, so I read only its beginning.',
  /** Files left out because the message's files together passed ATTACHMENT_TOTAL_MAX_MB; `names` is a list. */
  attachmentsOverTotal: '⚠️ I left out {names}: the files of one message may add up to {limitMb, number} MB at most.',
  attachmentName: '**{name}**',
  /** Older messages of the conversation read from the platform did not fit (CONTEXT_MAX_MESSAGES or the history budget). */
  earlierLeftOut: 'ℹ️ *This conversation is long, so I read only its newest messages.*',
  earlierForbidden: '⚠️ *I am not allowed to read the earlier messages here, so I answered from this message alone.*',
  earlierUnavailable: '⚠️ *I could not read the earlier messages here just now, so I answered from this message alone.*',

  // The controls under answers.
  /** Label of the button that stops an answer while it streams. */
  stopButton: 'Stop',
  /** Label of the button under a finished answer that writes it again (Discord, Slack). */
  regenerateButton: 'Regenerate',
  /** Label of the button under a finished Slack answer that starts the thread's conversation afresh. */
  newConversationButton: 'New conversation',
  /** What a screen reader says for 👍/👎 (Slack). */
  feedbackLabelUp: 'Good answer',
  feedbackLabelDown: 'Bad answer',

  // Regenerate, edits and votes, mostly told privately to the person who pressed.
  /** Below the previous answer, put back because its regeneration failed or wrote nothing. */
  previousAnswerKept: '⚠️ *I could not write a new answer, so this is the previous one.*',
  previousAnswerKeptWhy: '⚠️ *I could not write a new answer, so this is the previous one.*\n{why}',
  regenerateNotNewest: 'Only the newest answer in a conversation can be regenerated, and a later question has been asked since.',
  regenerateUnknown: 'I no longer have this conversation in my memory (it was reset or has expired), so I cannot regenerate this answer.',
  regenerateNothing: 'There was nothing to regenerate.',
  regenerateBusy: 'I am still answering in this conversation. Press Regenerate again once I am done.',
  regenerateStoreUnavailable: 'My memory store is unavailable right now, so I cannot regenerate this answer. Try again in a minute.',
  /** An edited question the answer did not follow, told privately once (Slack). */
  editNotNewest:
    'You edited an earlier question. I only answer the newest question of a conversation again, so that edit changed nothing: ask in a new message if you want an answer to it.',
  editNeverFollowed: 'I do not answer edited questions again here: ask in a new message if you want a new answer.',
  editTooLate:
    'You edited your question more than {minutes, plural, one {# minute} other {# minutes}} after asking it, so I did not answer it again: ask in a new message if you want a new answer.',
  /** A 👍/👎 acknowledged privately; `face` is the emoji. */
  feedbackChanged: 'Changed your vote on this answer to {face}.',
  feedbackSame: 'You already gave this answer a {face}.',
  feedbackThanksUp: 'Thanks for the 👍, noted.',
  feedbackThanksDown: 'Thanks for the 👎, noted. Regenerate may give a better answer.',
  feedbackUnknown:
    'I no longer have this answer in my memory (its conversation was reset, or the answer was regenerated), so I could not record your vote.',
  feedbackUnavailable: 'My memory store is unavailable right now, so I could not record your vote. Try again in a minute.',

  // "Ask Gemini about this".
  /** The message action's name (Discord's message menu; Slack's shortcut is named in manifest.yaml). */
  askAboutCommand: 'Ask Gemini about this',
  /** The first question of a conversation opened with "Ask Gemini about this": the message goes with it as context. */
  askAboutQuestion: 'What is this message about? Explain it, and add anything that would be useful to know.',
  /** Told privately where the answer about a message is: a channel, or `askAboutDmPlace`. */
  askAboutWhere: 'I am answering about that message in {where}.',
  askAboutDmPlace: 'our direct messages',
  /** Discord: a DM's opening line, when the bot could not start a thread where the message is. */
  askAboutInDm: 'You asked me about this message: {link}',
  /** Slack: the line that opens the thread on a message someone asked about; `asker` is their display name. */
  askAboutOpener: '💬 {asker} asked me about this message.',
  /** Slack: a DM's opening line, when the bot may not write where the message is; `quote` is the message, quoted. */
  askAboutOpenerDm: 'You asked me about this message by {author}:\n\n{quote}',
  askAboutNothing: 'That message has no text or files I could read, so there is nothing to ask about.',
  askAboutFailed: 'I could neither start a thread there nor write to you directly, so I cannot answer about that message.',

  /** A thread's name when the question has no text (only attachments). */
  threadNameFallback: 'Question for Gemini',

  // Slack's surface for AI apps.
  /** The assistant thread's status line while the model thinks; Slack shows it after the app's name. */
  assistantStatus: 'is thinking…',
  assistantStatusHeading: 'is thinking: {heading}…',
  /** The title above the suggested prompts of a new assistant thread. */
  suggestedPromptsTitle: 'Try asking',
  /** The suggested prompts when SLACK_SUGGESTED_PROMPTS is not set: a label, and the question it asks. */
  suggestedPrompt1Title: 'Explain a concept',
  suggestedPrompt1: 'Explain how public-key cryptography works, in plain words and with an everyday example.',
  suggestedPrompt2Title: 'Summarize a text',
  suggestedPrompt2: 'I will paste a text in my next message. Summarize it in five bullet points and list any open questions.',
  suggestedPrompt3Title: 'Draft a message',
  suggestedPrompt3: 'Help me write a short, friendly message telling my team that our release moves by one week.',
  suggestedPrompt4Title: 'Brainstorm ideas',
  suggestedPrompt4: 'Give me ten ideas for a team offsite, one line each, from low-cost to ambitious.',
  /** The agent experience: the greeting a DM opened on the Messages tab gets, above the suggested questions as buttons. */
  agentGreeting:
    'Hi! Ask me anything here: each message starts a conversation of its own, and I remember what was said in its thread. Or pick a question to start:',

  // Personas (`/persona`), which replace the system prompt where they are set.
  personaSet: 'Persona set for this {where, select, channel {channel} thread {thread} other {conversation}}. My next answers here follow it.',
  personaCleared: 'Persona cleared: this {where, select, channel {channel} thread {thread} other {conversation}} is back to the default system prompt.',
  personaShown: 'Persona here:\n>>> {persona}',
  personaNone: 'No persona is set here: I use the default system prompt. Set one with `/persona text:…`.',
  personaEmpty: 'A persona needs some text. To go back to the default, use `/persona clear:True` (or `text: clear`).',
  personaTooLong: 'That persona is {length, number} characters long; the most is {max, number}. Shorten it and try again.',
  personaNeedsPermission: 'Only members with the **{permission}** permission can change the persona here.',
  /** Slack: `/persona` alone where none is set (Slack's commands take plain text, not options). */
  personaNoneSlack: 'No persona is set here: I use the default system prompt. Set one with `/persona <text>`; `/persona clear` goes back to the default.',
  /** Slack: the heading above the persona `/persona` shows, quoted whole beneath it. */
  personaHere: 'Persona here:',
  /** Slack: someone who is not a workspace admin tried to change a channel's persona. */
  personaNeedsAdmin: "Only workspace admins can change this channel's persona.",

  // Discord's slash commands: their descriptions and their options' (at most 100 characters each).
  commandModel: "Show the models, or choose this thread's model (in a channel: its default for new threads)",
  commandModelName: 'The model to use; leave empty to list them',
  commandReset: "Forget this thread's conversation (in a channel: your newest reply chain there)",
  commandAsk: 'Ask Gemini without mentioning the bot',
  commandAskPrompt: 'Your question',
  commandAskModel: 'A model for this question only',
  commandAskImage: 'An image or video to ask about',
  commandPersona: "Show this channel's or thread's persona, set it, or clear it",
  commandPersonaText: "The system prompt to use here; '{date}' and '{time}' are filled in",
  commandPersonaClear: 'Go back to the default system prompt',
  commandUsage: 'How many tokens you and this channel have used today, and the limits (only you see it)',
} as const;
