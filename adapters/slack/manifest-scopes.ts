/**
 * The bot scopes the Slack app manifest asks for (`oauth_config.scopes.bot`
 * in manifest.yaml), so `npm run doctor` checks a token against the same list
 * people install the app from, and a scope added to the manifest is checked
 * without touching code.
 *
 * A reader for this one block, not a YAML parser: the manifest is ours, and
 * writes the list as block items (`- chat:write`) or one flow list
 * (`bot: [chat:write, commands]`). Anything else is reported, not guessed.
 */
import { readFileSync } from 'node:fs';

export const MANIFEST_PATH = new URL('../../manifest.yaml', import.meta.url);

const indentOf = (line: string) => line.length - line.trimStart().length;
const withoutComment = (line: string) => line.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '');
const unquote = (s: string) => s.trim().replace(/^(["'])(.*)\1$/, '$2');

/** The line index of `key:` inside the block whose parent is indented `parentIndent` (-1: the whole file), searching from `from`. */
function childKey(lines: readonly string[], from: number, parentIndent: number, key: string): number | undefined {
  for (let i = from; i < lines.length; i++) {
    const line = withoutComment(lines[i] ?? '');
    if (line.trim() === '') continue;
    if (indentOf(line) <= parentIndent) return undefined; // past the end of the parent's block
    if (line.trimStart().startsWith(`${key}:`)) return i;
  }
  return undefined;
}

export function botScopesOf(manifest: string): string[] {
  const lines = manifest.split(/\r?\n/);
  const oauth = childKey(lines, 0, -1, 'oauth_config');
  const scopes = oauth === undefined ? undefined : childKey(lines, oauth + 1, indentOf(lines[oauth] ?? ''), 'scopes');
  const bot = scopes === undefined ? undefined : childKey(lines, scopes + 1, indentOf(lines[scopes] ?? ''), 'bot');
  if (bot === undefined) throw new Error('manifest.yaml has no oauth_config.scopes.bot list');
  const botLine = withoutComment(lines[bot] ?? '');
  const inline = /^\s*bot:\s*\[(.*)\]\s*$/.exec(botLine);
  if (inline) return (inline[1] ?? '').split(',').map(unquote).filter((s) => s.length > 0);
  const result: string[] = [];
  for (const raw of lines.slice(bot + 1)) {
    const line = withoutComment(raw);
    if (line.trim() === '') continue;
    if (indentOf(line) < indentOf(botLine)) break;
    const item = /^\s*-\s+(.+)$/.exec(line);
    if (!item) break;
    result.push(unquote(item[1] ?? ''));
  }
  if (result.length === 0) throw new Error('manifest.yaml lists no bot scopes under oauth_config.scopes.bot');
  return result;
}

/** The scopes in the repository's manifest.yaml. */
export function manifestBotScopes(path: URL | string = MANIFEST_PATH): string[] {
  return botScopesOf(readFileSync(path, 'utf8'));
}
