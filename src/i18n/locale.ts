/**
 * The languages the bot speaks to people, and how a platform's locale tag picks
 * one. Discord sends `zh-TW`, `zh-CN`, `en-US` (interaction `locale`, a guild's
 * `preferred_locale`); Slack `zh-TW`, `en-US` (users.info with `include_locale`);
 * a terminal `LANG` such as `zh_TW.UTF-8`. Chinese written in Traditional
 * characters (Taiwan, Hong Kong, Macau, `zh-Hant`) gets zh-TW, any other Chinese
 * zh-CN; everything else English.
 */

export const LOCALES = ['en', 'zh-TW', 'zh-CN'] as const;

export type Locale = (typeof LOCALES)[number];

/** BOT_LOCALE: `auto` follows each person's platform locale; a locale fixes it for everyone. */
export type LocaleSetting = 'auto' | Locale;

export const LOCALE_SETTINGS: readonly LocaleSetting[] = ['auto', ...LOCALES];

const TRADITIONAL_REGIONS = new Set(['TW', 'HK', 'MO']);

/** The locale a BCP 47 tag (or a POSIX `LANG`) asks for; English for anything we do not speak, or nothing. */
export function localeOf(tag: string | undefined): Locale {
  // POSIX: `zh_TW.UTF-8@euro` → `zh-TW`.
  const bcp47 = tag?.split(/[.@]/)[0]?.replaceAll('_', '-').trim();
  if (!bcp47) return 'en';
  let parsed: Intl.Locale;
  try {
    parsed = new Intl.Locale(bcp47);
  } catch {
    return 'en';
  }
  if (parsed.language !== 'zh') return 'en';
  if (parsed.script) return parsed.script === 'Hant' ? 'zh-TW' : 'zh-CN';
  return parsed.region && TRADITIONAL_REGIONS.has(parsed.region) ? 'zh-TW' : 'zh-CN';
}

/** The locale to speak to one person in: BOT_LOCALE when it fixes one, else their platform's tag. */
export function chooseLocale(setting: LocaleSetting, tag: string | undefined): Locale {
  return setting === 'auto' ? localeOf(tag) : setting;
}
