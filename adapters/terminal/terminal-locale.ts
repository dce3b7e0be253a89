/**
 * The terminal's language under BOT_LOCALE=auto: the one its environment asks
 * for, as POSIX programs read it (LC_ALL, then LC_MESSAGES, then LANG: a set one
 * wins over those after it), so `LANG=zh_TW.UTF-8 npm run chat` speaks zh-TW.
 */
import { chooseLocale, type Locale, type LocaleSetting } from '../../src/i18n/locale.ts';

export function terminalLocale(setting: LocaleSetting, env: Record<string, string | undefined>): Locale {
  const tag = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
  return chooseLocale(setting, tag);
}
