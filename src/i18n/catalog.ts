/**
 * The shape every locale's catalog has: English (en.ts) defines the keys, and the
 * values each message takes are read from its English text at compile time
 * (@schummar/icu-type-parser), so `t('modelSetForChannel', { model })` is checked
 * against the message itself.
 */
import type { GetICUArgs } from '@schummar/icu-type-parser';
import type { en } from './en.ts';

export type MessageKey = keyof typeof en;

/** A locale's messages: one ICU MessageFormat string per key, no more, no fewer. */
export type Catalog = { readonly [K in MessageKey]: string };

type ArgumentTypes = { ICUArgument: string; ICUNumberArgument: number; ICUDateArgument: Date | number };

/** The values message `K` takes: `{x}` a string, `{n, number}` and plurals a number, selects one of their options. */
export type MessageValues<K extends MessageKey> = GetICUArgs<(typeof en)[K], ArgumentTypes>;

/** `t`'s values argument: none for a message without values. */
export type ValuesArgument<K extends MessageKey> = keyof MessageValues<K> extends never ? [] : [values: MessageValues<K>];
