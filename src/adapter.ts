/**
 * What src/main.ts hands a platform adapter, and what it gets back.
 * Adapters live in adapters/<platform>/ and export `start<Platform>Adapter(deps)`.
 */
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { ConversationCore } from './conversation/core.ts';
import type { Locale, LocaleSetting } from './i18n/locale.ts';
import type { TokenQuotas } from './quota/token-quotas.ts';
import type { EventDeduper } from './store/dedupe.ts';
import type { Surface } from './surface.ts';

export interface AdapterDeps {
  readonly core: ConversationCore;
  /** Child logger for this platform (`logger.child({ platform })`). */
  readonly logger: Logger;
  /** Exactly-once delivery of platform events (Slack retries; several instances). */
  readonly dedupe: EventDeduper;
  /**
   * The store's settings namespace, for the small records an adapter keeps beside the
   * core's (Discord: each person's newest reply chain per channel, for `/reset`).
   * Keys are prefixed with the platform.
   */
  readonly settings: Keyv;
  /** Largest attachment the bot downloads or forwards, in bytes (ATTACHMENT_MAX_MB). */
  readonly attachmentMaxBytes: number;
  /** Most earlier messages an adapter reads from the platform for one turn (CONTEXT_MAX_MESSAGES). */
  readonly contextMaxMessages: number;
  /** EDIT_FOLLOW_MINUTES in ms, for what an adapter tells someone whose edit came too late. */
  readonly editFollowMs?: number;
  /**
   * BOT_LOCALE: `auto` speaks to each person in their platform locale (Discord: the interaction's,
   * or the server's for messages; Slack: users.info), a locale speaks it to everyone.
   */
  readonly locale: LocaleSetting;
  /** Today's token counts, for `/usage`. */
  readonly usage: UsageReports;
  /** Injected for tests; defaults to global fetch. */
  readonly fetch?: typeof fetch;
}

/** What `/usage` needs of the quotas: the text of a person's report. */
export type UsageReports = Pick<TokenQuotas, 'report'>;

export interface RunningAdapter {
  readonly platform: 'discord' | 'slack' | 'terminal';
  /** True while the platform connection is up (for /healthz). */
  isReady(): boolean;
  /** Rebuilds the Surface a `Surface.address` names (after a restart), if this adapter made it; its controls in `locale`. */
  reopen?(address: string, locale: Locale): Surface | undefined;
  /** Stops taking new events; turns in progress are the core's to finish. */
  stop(): Promise<void>;
}
