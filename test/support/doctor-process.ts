/**
 * Runs `npm run doctor` (or `node src/doctor/main.ts`) as its own process, as an
 * operator would, and hands back its exit code and output. Every setting the bot
 * reads is passed blank unless the test sets it, so a developer's `.env` (which
 * never overrides a variable already in the environment) cannot leak in.
 */
import { spawn } from 'node:child_process';
import { SETTING_NAMES } from '../../src/config.ts';

const REPO = new URL('../..', import.meta.url).pathname;

export interface DoctorRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout's lines, trimmed. */
  readonly lines: readonly string[];
}

export async function runDoctorProcess(env: Record<string, string>, opts: { via?: 'npm' | 'node' } = {}): Promise<DoctorRun> {
  const blank = Object.fromEntries(SETTING_NAMES.map((name) => [name, '']));
  const command = opts.via === 'npm' ? ['npm', ['run', '--silent', 'doctor']] as const : [process.execPath, ['src/doctor/main.ts']] as const;
  const child = spawn(command[0], command[1], { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...blank, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  return { code, stdout, stderr, lines: stdout.split('\n').map((line) => line.trim()) };
}

/** The line that starts with `prefix` (after trimming), or undefined. */
export function lineStarting(run: DoctorRun, prefix: string): string | undefined {
  return run.lines.find((line) => line.startsWith(prefix));
}

/** The `fix:` line printed right under the line that starts with `prefix`. */
export function fixFor(run: DoctorRun, prefix: string): string | undefined {
  const index = run.lines.findIndex((line) => line.startsWith(prefix));
  const next = index >= 0 ? run.lines[index + 1] : undefined;
  return next?.startsWith('fix:') ? next : undefined;
}
