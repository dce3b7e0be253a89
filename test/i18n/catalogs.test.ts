/**
 * Every locale says every sentence, with the same values: each catalog holds
 * exactly English's keys, each message parses as ICU MessageFormat, names the
 * same arguments with the same kinds (a number stays a number; a select keeps its
 * options) and formats with them; and each Chinese catalog is written in its own
 * script and its region's words.
 */
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, test } from 'vitest';
import { LOCALES } from '../../src/i18n/locale.ts';
import { CATALOGS, MESSAGE_KEYS, PARSE_OPTIONS, t } from '../../src/i18n/messages.ts';

/** An argument's kind: plurals and numbers take numbers alike (Chinese needs no plural forms). */
type ArgumentKind = 'string' | 'number' | 'date' | `select(${string})`;

function argumentsOf(elements: readonly MessageFormatElement[], found = new Map<string, ArgumentKind>()): Map<string, ArgumentKind> {
  for (const element of elements) {
    switch (element.type) {
      case TYPE.argument:
        found.set(element.value, 'string');
        break;
      case TYPE.number:
      case TYPE.plural:
        found.set(element.value, 'number');
        if (element.type === TYPE.plural) for (const option of Object.values(element.options)) argumentsOf(option.value, found);
        break;
      case TYPE.date:
      case TYPE.time:
        found.set(element.value, 'date');
        break;
      case TYPE.select:
        found.set(element.value, `select(${Object.keys(element.options).sort().join('|')})`);
        for (const option of Object.values(element.options)) argumentsOf(option.value, found);
        break;
      default:
        break;
    }
  }
  return found;
}

const sample = (kind: ArgumentKind) => (kind === 'number' ? 2 : kind === 'date' ? new Date(0) : kind.startsWith('select(') ? 'other' : 'x');

test('every locale has exactly the English keys, none empty', () => {
  for (const locale of LOCALES) {
    expect(Object.keys(CATALOGS[locale]).sort(), locale).toEqual([...MESSAGE_KEYS].sort());
    for (const key of MESSAGE_KEYS) expect(CATALOGS[locale][key].trim(), `${locale} ${key}`).not.toBe('');
  }
});

describe.each(LOCALES.filter((l) => l !== 'en'))('%s', (locale) => {
  test('each message takes the values its English one takes, of the same kinds', () => {
    for (const key of MESSAGE_KEYS) {
      const english = argumentsOf(parse(CATALOGS.en[key], PARSE_OPTIONS));
      const translated = argumentsOf(parse(CATALOGS[locale][key], PARSE_OPTIONS));
      expect(Object.fromEntries(translated), key).toEqual(Object.fromEntries(english));
    }
  });

  test('each message formats with its values, leaving no placeholder behind', () => {
    for (const key of MESSAGE_KEYS) {
      const kinds = argumentsOf(parse(CATALOGS.en[key], PARSE_OPTIONS));
      const values = Object.fromEntries([...kinds].map(([name, kind]) => [name, sample(kind)]));
      const format = t as (l: string, k: string, v: object) => string;
      // Only the braces English shows too (a quoted `'{date}'`) may stay.
      const braces = (text: string) => text.match(/\{[a-zA-Z_]+\}/g) ?? [];
      expect(braces(format(locale, key, values)), key).toEqual(braces(format('en', key, values)));
    }
  });
});

/** Characters only one of the two scripts uses, and words only one of the two regions uses. */
const ONLY = {
  'zh-TW': { script: /[這們設數務體麼個說為區訊錄邊時發內與應後過請]/, words: ['訊息', '伺服器', '設定', '預設', '資料', '討論串', '檔案', '影片'] },
  'zh-CN': { script: /[这们设数务体么个说为区讯录边时发内与应后过请]/, words: ['消息', '服务器', '设置', '默认', '子区', '文档', '视频'] },
} as const;

test.each(['zh-TW', 'zh-CN'] as const)('%s is in its own script and its own words', (locale) => {
  const other = locale === 'zh-TW' ? 'zh-CN' : 'zh-TW';
  const all = Object.values(CATALOGS[locale]).join('\n');
  expect(all).not.toMatch(ONLY[other].script);
  for (const word of ONLY[other].words) expect(all, word).not.toContain(word);
  for (const word of ONLY[locale].words) expect(all, word).toContain(word);
});
