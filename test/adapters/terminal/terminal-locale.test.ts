/** The terminal chat's language under BOT_LOCALE=auto: the environment's, as POSIX programs read it. */
import { expect, test } from 'vitest';
import { terminalLocale } from '../../../adapters/terminal/terminal-locale.ts';

test('LC_ALL wins over LC_MESSAGES, which wins over LANG; an empty one does not count', () => {
  expect(terminalLocale('auto', { LANG: 'zh_TW.UTF-8' })).toBe('zh-TW');
  expect(terminalLocale('auto', { LANG: 'zh_TW.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' })).toBe('zh-CN');
  expect(terminalLocale('auto', { LANG: 'zh_TW.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8', LC_ALL: 'C.UTF-8' })).toBe('en');
  expect(terminalLocale('auto', { LANG: 'zh_CN.UTF-8', LC_ALL: '' })).toBe('zh-CN');
  expect(terminalLocale('auto', {})).toBe('en');
});

test('a fixed BOT_LOCALE wins over the environment', () => {
  expect(terminalLocale('zh-CN', { LANG: 'en_US.UTF-8' })).toBe('zh-CN');
});
