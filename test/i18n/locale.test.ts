/** Which of the bot's languages a platform's locale tag picks, and BOT_LOCALE fixing one. */
import { expect, test } from 'vitest';
import { chooseLocale, localeOf } from '../../src/i18n/locale.ts';

test('Traditional Chinese tags (Taiwan, Hong Kong, Macau, Hant) speak zh-TW; any other Chinese zh-CN', () => {
  for (const tag of ['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-TW', 'zh_TW.UTF-8']) expect(localeOf(tag), tag).toBe('zh-TW');
  for (const tag of ['zh-CN', 'zh-SG', 'zh-Hans', 'zh-Hans-HK', 'zh', 'zh_CN.UTF-8']) expect(localeOf(tag), tag).toBe('zh-CN');
});

test('English and every language the bot does not speak, or no tag at all, fall back to English', () => {
  for (const tag of ['en-US', 'en-GB', 'en', 'de-DE', 'ja-JP', 'fr', 'C.UTF-8', 'POSIX', 'not a tag!', '', undefined]) expect(localeOf(tag), String(tag)).toBe('en');
});

test('BOT_LOCALE=auto follows the person; a fixed BOT_LOCALE wins over their tag', () => {
  expect(chooseLocale('auto', 'zh-CN')).toBe('zh-CN');
  expect(chooseLocale('auto', 'de-DE')).toBe('en');
  expect(chooseLocale('zh-TW', 'en-US')).toBe('zh-TW');
  expect(chooseLocale('en', 'zh-CN')).toBe('en');
});
