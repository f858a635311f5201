/**
 * Every label on screen, in English and Simplified Chinese: `key: [English, 简体中文]`.
 * One file per area (common, boards, pages) so work on one area does not touch another's;
 * `{name}` marks a value filled in by `t(key, { name })`.
 */
export type Catalog = Record<string, readonly [en: string, zh: string]>;
