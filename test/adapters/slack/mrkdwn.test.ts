import { expect, test } from 'vitest';
import { toMrkdwn } from '../../../adapters/slack/mrkdwn.ts';

test.each([
  ['Hi <!channel>', 'Hi &lt;!channel&gt;'],
  ['ask <@U0BOSS> or <!here|here>', 'ask &lt;@U0BOSS&gt; or &lt;!here|here&gt;'],
  ['`<!everyone>` in code', '`&lt;!everyone&gt;` in code'],
  ['```\n<!subteam^S1> & more\n```', '```\n&lt;!subteam^S1&gt; &amp; more\n```'],
  ['[<!here>](https://example.com)', '&lt;https://example.com|&lt;!here&gt;&gt;'],
])('model text %j cannot mention anyone', (markdown, mrkdwn) => {
  expect(toMrkdwn(markdown)).toBe(mrkdwn);
});

test('Markdown becomes Slack mrkdwn: bold, links, lists, quotes', () => {
  expect(toMrkdwn('**bold** and [a link](https://example.com/a?b=1&c=2)')).toBe('\u200b*bold*\u200b and <https://example.com/a?b=1&c=2|a link>');
  expect(toMrkdwn('# Title\n- one\n- two')).toBe('*Title*\n\n•   one\n•   two');
  expect(toMrkdwn('> quoted a > b')).toBe('> quoted a &gt; b');
});

test('links with unsafe schemes are dropped to their text', () => {
  expect(toMrkdwn('[click](javascript:alert(1))')).toBe('click');
});

test('ampersands and angle brackets in prose are escaped once', () => {
  expect(toMrkdwn('a & b < c > d &amp; e')).toBe('a &amp; b &lt; c &gt; d &amp; e');
});
