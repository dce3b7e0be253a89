/** Which workspaces refused Slack's native streaming (adapters/slack/stream-surface.ts). */
import type { Logger } from 'pino';

/** Which workspaces refused native streaming; one per adapter, shared by its surfaces. */
export class NativeStreamSupport {
  readonly #refused = new Set<string>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  refused(teamId: string): boolean {
    return this.#refused.has(teamId);
  }

  /** Marks a workspace as streaming by chat.update from now on; logs the first time. */
  refuse(teamId: string, code: string | undefined): void {
    if (this.#refused.has(teamId)) return;
    this.#refused.add(teamId);
    this.#logger.warn({ team: teamId, code }, 'slack refused native streaming; streaming with chat.update in this workspace');
  }
}
