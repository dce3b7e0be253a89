/**
 * `t(locale, key, values)`: one message of one locale's catalog, formatted by
 * FormatJS `intl-messageformat` (ICU MessageFormat: numbers, plurals and selects
 * in the locale's own way, through `Intl`). Chosen over a home-made formatter
 * because translators know ICU, plurals and number formats come from CLDR, and
 * the same parser lets a test compare every locale's placeholders with English.
 * Each message is compiled once, when this module loads; nothing changes after.
 */
import { TYPE } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';
import type { Catalog, MessageKey, ValuesArgument } from './catalog.ts';
import { en } from './en.ts';
import { LOCALES, type Locale } from './locale.ts';
import { zhCN } from './zh-CN.ts';
import { zhTW } from './zh-TW.ts';

export type { MessageKey, MessageValues } from './catalog.ts';

/** Every locale's catalog. */
export const CATALOGS: { readonly [L in Locale]: Catalog } = { en, 'zh-TW': zhTW, 'zh-CN': zhCN };

/** Every key, in the English catalog's order. */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/**
 * `ignoreTag`: text such as `/persona <text>` is text, not an XML-like tag. Apostrophes
 * quote only before `{`, `}` or `#` (ICU's DOUBLE_OPTIONAL), so "bot's" needs no escape.
 */
export const PARSE_OPTIONS = { ignoreTag: true } as const;

type Compiled = { readonly [K in MessageKey]: IntlMessageFormat };

function compile(locale: Locale): Compiled {
  const catalog = CATALOGS[locale];
  const entries = MESSAGE_KEYS.map((key) => [key, new IntlMessageFormat(catalog[key], locale, undefined, PARSE_OPTIONS)]);
  return Object.freeze(Object.fromEntries(entries)) as Compiled;
}

const COMPILED: { readonly [L in Locale]: Compiled } = Object.freeze(
  Object.fromEntries(LOCALES.map((locale) => [locale, compile(locale)])) as { [L in Locale]: Compiled },
);

/** Message `key` in `locale`, with its values filled in. */
export function t<K extends MessageKey>(locale: Locale, key: K, ...values: ValuesArgument<K>): string {
  const formatted = COMPILED[locale][key].format(values[0] as Record<string, string | number | Date> | undefined);
  return Array.isArray(formatted) ? formatted.join('') : String(formatted);
}

/** Whether message `key` takes no values, so it reads the same every time. */
export function isFixed(key: MessageKey): boolean {
  return COMPILED.en[key].getAst().every((element) => element.type === TYPE.literal);
}
