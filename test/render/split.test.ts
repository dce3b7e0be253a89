import { describe, expect, test } from 'vitest';
import { openFenceAtEnd } from '../../src/render/fence.ts';
import { type Cursor, cutNext, partText, splitMarkdown, splitParts, startCursor } from '../../src/render/split.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemeEnds = (text: string) => new Set([...graphemes.segment(text)].map((s) => s.index + s.segment.length));

/** Every place a part boundary falls in the original text must be a grapheme boundary. */
function expectWholeGraphemes(text: string, limit: number) {
  const ends = graphemeEnds(text);
  let offset = 0;
  for (const part of splitParts(text, limit).slice(0, -1)) {
    offset += part.body.length;
    expect(ends.has(offset), `cut at ${offset} splits a grapheme`).toBe(true);
  }
}

describe('splitting prefers the strongest boundary that fits', () => {
  test('a paragraph break', () => {
    const text = `${'a'.repeat(30)}. ${'b'.repeat(10)}\n\n${'c'.repeat(30)}`;
    expect(splitMarkdown(text, 60)).toEqual([`${'a'.repeat(30)}. ${'b'.repeat(10)}\n\n`, 'c'.repeat(30)]);
  });

  test('a line break when there is no paragraph break', () => {
    const text = `first line is here. more\nsecond line goes on and on`;
    expect(splitMarkdown(text, 30)).toEqual(['first line is here. more\n', 'second line goes on and on']);
  });

  test('a sentence end when there is no line break', () => {
    const text = 'One sentence ends here. Another one starts and keeps going on';
    expect(splitMarkdown(text, 40)).toEqual(['One sentence ends here. ', 'Another one starts and keeps going on']);
  });

  test('a word boundary when there is no sentence end', () => {
    const text = 'many little words without any end at all in sight';
    const parts = splitMarkdown(text, 20);
    expect(parts.join('')).toBe(text);
    for (const part of parts.slice(0, -1)) expect(part.endsWith(' ')).toBe(true);
  });

  test('CJK text without spaces splits after 。！？', () => {
    const text = '今天天气很好。我们去公园散步吧！你觉得怎么样？好的我们走吧';
    const parts = splitMarkdown(text, 16);
    expect(parts.join('')).toBe(text);
    for (const part of parts.slice(0, -1)) expect(part).toMatch(/[。！？]$/);
  });

  test('CJK text with no punctuation still splits, between characters', () => {
    const text = '汉'.repeat(50);
    const parts = splitMarkdown(text, 20);
    expect(parts.join('')).toBe(text);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(20);
  });

  test('ZWJ emoji, flags and combining marks are never cut', () => {
    const text = '👨‍👩‍👧‍👦🇯🇵🇫🇷é̀a̋👍🏽'.repeat(6);
    for (const limit of [11, 13, 17, 23, 29]) {
      const parts = splitMarkdown(text, limit);
      expect(parts.join('')).toBe(text);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
      expectWholeGraphemes(text, limit);
    }
  });

  test('Windows line ends (CR LF) and CJK combining tone marks are never cut', () => {
    const text = `${'word '.repeat(5)}\r\n`.repeat(6) + '漢〪字〫'.repeat(10);
    for (const limit of [7, 11, 16, 27, 31]) {
      expect(splitMarkdown(text, limit).join('')).toBe(text);
      expectWholeGraphemes(text, limit);
    }
  });

  test('a Markdown link is never cut, even where a word boundary would be', () => {
    const link = '[the docs page](https://example.com/a/long/path)';
    const text = `see ${link} for more`;
    const parts = splitMarkdown(text, link.length + 6);
    expect(parts.some((p) => p.includes(link))).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  test('a code fence cut by a split is closed, then reopened with its language', () => {
    const code = Array.from({ length: 12 }, (_, i) => `const value${i} = ${i};`).join('\n');
    const text = `Here is code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`;
    const parts = splitMarkdown(text, 120);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts.slice(1, -1)) {
      expect(part.startsWith('```ts\n')).toBe(true);
      expect(part.endsWith('```')).toBe(true);
    }
    for (const part of parts) expect(openFenceAtEnd(part)).toBeUndefined();
  });

  test('no part is an empty code block', () => {
    const text = `intro words here\n\`\`\`python\nprint(1)\nprint(2)\n\`\`\`\nafter`;
    for (let limit = 20; limit < text.length; limit += 1) {
      for (const part of splitMarkdown(text, limit)) expect(part).not.toMatch(/^```python\n```$/m);
    }
  });

  test('a link longer than a whole part is cut rather than overflowing the limit', () => {
    const text = `see [x](https://example.com/${'a'.repeat(80)}) ok`;
    const parts = splitMarkdown(text, 40);
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(40);
  });

  test('text that fits is one part', () => {
    expect(splitMarkdown('short', 2000)).toEqual(['short']);
  });
});

/** A small seeded PRNG, so a failing case can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = [
  'word ', 'longerword ', 'Hello, world. ', 'Is it? ', 'Yes! ', '\n', '\n\n', '  ', '你好世界。', '中文没有空格', '！', '？',
  '👨‍👩‍👧‍👦', '🇯🇵', '🇺🇸', 'é', 'e\u0301', 'a\u030b\u0323', '👍🏽', '🏳️‍🌈', '𝔘𝔫𝔦', '[link](https://x.io/p) ', '![img](a.png)',
  '`inline` ', '**bold** ', '- item\n', '> quote\n', 'ไทย', 'עברית ', '…',
];

function randomMarkdown(next: () => number): string {
  let text = '';
  const length = 20 + Math.floor(next() * 200);
  let inFence = false;
  for (let i = 0; i < length; i += 1) {
    if (next() < 0.04) {
      const lang = ['ts', 'python', '', 'c++', 'sh'][Math.floor(next() * 5)] ?? '';
      text += inFence ? '\n```\n' : `\n\`\`\`${lang}\n`;
      inFence = !inFence;
    } else {
      text += pieces[Math.floor(next() * pieces.length)];
    }
  }
  return inFence ? `${text}\n\`\`\`` : text;
}

describe('over random text (mixed scripts, emoji, fences)', () => {
  const cases = Array.from({ length: 400 }, (_, seed) => seed);

  test.each(cases)('seed %i: parts fit, rebuild the text, keep fences balanced and graphemes whole', (seed) => {
    const next = random(seed);
    const text = randomMarkdown(next);
    const limit = 24 + Math.floor(next() * 120);
    const parts = splitParts(text, limit);
    expect(parts.map((p) => p.body).join('')).toBe(text);
    for (const part of parts) {
      const shown = partText(part);
      expect(shown.length).toBeLessThanOrEqual(limit);
      expect(part.reopen).toMatch(/^$|^[ \t]*(`{3,}|~{3,})[^\n]*\n$/);
      expect(part.close).toMatch(/^$|^\n?[ \t]*(`{3,}|~{3,})$/);
      expect(openFenceAtEnd(shown)).toBeUndefined();
      expect(shown).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    }
    expectWholeGraphemes(text, limit);
  });

  test.each(cases.slice(0, 100))('seed %i: parts sealed while the text streams in are the parts of the whole text', (seed) => {
    const next = random(seed);
    const text = randomMarkdown(next);
    const limit = 24 + Math.floor(next() * 120);
    const sealed: string[] = [];
    let cursor: Cursor = startCursor;
    for (let end = 0; end <= text.length; end += 1 + Math.floor(next() * 5)) {
      for (;;) {
        const result = cutNext(text.slice(0, end), cursor, limit, false);
        if (result.type !== 'cut') break;
        sealed.push(partText(result.part));
        cursor = result.next;
      }
    }
    expect(splitMarkdown(text, limit).slice(0, sealed.length)).toEqual(sealed);
  });
});
