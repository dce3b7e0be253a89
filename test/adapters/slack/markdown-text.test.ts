import { expect, test } from 'vitest';
import { markdownPieces, settledLength, toMarkdownText } from '../../../adapters/slack/markdown-text.ts';

test('mentions, channel links and special mentions arrive as text that pings nobody', () => {
  expect(toMarkdownText('Hey <!channel> and <!here>, ask <@U0BOSS> in <#C0FUN> or <!subteam^S1>.')).toBe(
    'Hey &lt;!channel> and &lt;!here>, ask &lt;@U0BOSS> in &lt;#C0FUN> or &lt;!subteam^S1>.',
  );
});

test('comparisons, HTML and ampersands in prose and code stay as written', () => {
  const code = '```ts\nif (a < b && c > d) return Array<string>();\n```\n<div>&amp;</div>';
  expect(toMarkdownText(code)).toBe(code);
});

test('a < at the end of a piece is escaped unless the next character shows it opens nothing', () => {
  expect(toMarkdownText('ping <')).toBe('ping &lt;');
  expect(toMarkdownText('ping <', '@')).toBe('ping &lt;');
  expect(toMarkdownText('a <', ' ')).toBe('a <');
});

test('a live text is sent up to its last non-space character, so the next piece starts with one', () => {
  const text = 'Hello world, this is';
  const cut = settledLength(text);
  expect(text.slice(0, cut)).toBe('Hello world, this i');
  expect(settledLength('Hello   \n')).toBe(4);
  expect(settledLength('  ')).toBe(0);
  // The next piece starts at a non-space character whatever arrives after.
  const longer = `${text} more`;
  expect(longer[cut]).toMatch(/\S/);
});

test('pieces keep every character, stay within the limit once escaped, and never split an emoji', () => {
  const text = `${'<!a'.repeat(2000)}😀${'x'.repeat(3000)}`;
  const pieces = markdownPieces(text, 12_000);
  expect(pieces.join('')).toBe(text);
  for (const piece of pieces) {
    expect(toMarkdownText(piece).length).toBeLessThanOrEqual(12_000);
    expect(/^[\uDC00-\uDFFF]/.test(piece)).toBe(false);
  }
  expect(markdownPieces('😀😀', 8)).toEqual(['😀', '😀']);
});
