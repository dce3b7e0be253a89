/**
 * What one doctor check found, and the group of checks for one part of the
 * bot (the provider, Discord, Slack, the store). Sections run concurrently;
 * the report prints them in the order they were listed.
 */

/**
 * - `pass`: works;
 * - `fail`: the bot cannot work this way (the exit code says so);
 * - `warn`: may be fine, worth a look (does not fail the run);
 * - `info`: something to know, nothing checked (the invite URL);
 * - `skip`: not checked, because it is not configured or an earlier check failed.
 */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'info' | 'skip';

export interface CheckResult {
  readonly status: CheckStatus;
  /** What was checked and what was found, on one line. Never a secret. */
  readonly text: string;
  /** What to do about a `fail` or `warn`, in plain words. */
  readonly fix?: string;
}

export interface DoctorSection {
  readonly title: string;
  /** Runs this part's checks; resolves with their results in report order. Must not throw for a failed check. */
  run(): Promise<readonly CheckResult[]>;
}

export const pass = (text: string): CheckResult => ({ status: 'pass', text });
export const fail = (text: string, fix: string): CheckResult => ({ status: 'fail', text, fix });
export const warn = (text: string, fix: string): CheckResult => ({ status: 'warn', text, fix });
export const info = (text: string): CheckResult => ({ status: 'info', text });
export const skip = (text: string): CheckResult => ({ status: 'skip', text });
