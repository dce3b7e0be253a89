/**
 * The bot as its own process (`node src/main.ts`), for what only a real process
 * shows: a crash (SIGKILL) or a signal-driven shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { expect, vi } from 'vitest';

const REPO = new URL('../..', import.meta.url).pathname;

/** Starts `node src/main.ts` with exactly `env` (plus PATH). */
export function spawnBot(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['src/main.ts'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
}

/**
 * Resolves once the bot's SQLite store holds its records of `answers` answers in progress
 * (each written right after the answer's first post), so a kill after it is a crash mid-answer.
 */
export async function answerInProgressRecorded(storeFile: string, instanceId: string, answers = 1): Promise<void> {
  const db = new DatabaseSync(storeFile, { readOnly: true });
  try {
    const count = db.prepare('SELECT count(*) AS n FROM keyv WHERE key LIKE ?');
    await vi.waitFor(() => expect(count.get(`%unfinished:${instanceId}:%`)).toEqual({ n: answers }), { timeout: 20_000 });
  } finally {
    db.close();
  }
}
