/**
 * Slack message text as people read it: `<@U123>` as `@Name`, `<#C123|general>`
 * as `#general`, `<!here>` as `@here`, links as their label and URL, and the
 * `&amp;` `&lt;` `&gt;` escapes undone. Source: docs.slack.dev messaging/formatting-message-text
 * ("Escaping text", "Linking to channels and users").
 */

/** User ids mentioned in `text`, to look their names up first. */
export function mentionedUsers(text: string): string[] {
  return [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? ''))];
}

export function readableText(text: string, names: ReadonlyMap<string, string>): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label: string | undefined) => `@${names.get(id) ?? label ?? 'someone'}`)
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<#[CG][A-Z0-9]+>/g, '#channel')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_, label: string | undefined) => label ?? '@group')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
