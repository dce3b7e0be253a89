/**
 * `scripts/check-node.cjs` runs before start, chat and test: a Node that cannot
 * strip types by default (before 22.18) must be turned away with a clear message
 * instead of crashing on the first `.ts` file.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';

const require = createRequire(import.meta.url);
const { nodeVersionOk } = require('../../scripts/check-node.cjs') as { nodeVersionOk: (version: string) => boolean };

test('Node 22.12 to 22.17 is turned away: it has node:sqlite but no type stripping by default', () => {
  for (const version of ['22.12.0', '22.13.1', '22.17.1', 'v22.17.0']) expect(nodeVersionOk(version)).toBe(false);
});

test('Node 22.18 and later, 23, 24 and 25 are accepted', () => {
  for (const version of ['22.18.0', 'v22.18.0', '22.20.0', '23.11.0', '24.21.0', '25.0.0']) expect(nodeVersionOk(version)).toBe(true);
});

test('older majors and nonsense are turned away', () => {
  for (const version of ['20.19.5', '18.20.0', '', 'banana']) expect(nodeVersionOk(version)).toBe(false);
});

test('run as a script on this Node it passes silently', () => {
  const run = spawnSync(process.execPath, ['scripts/check-node.cjs'], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stderr).toBe('');
});
