import { agentUpdate } from './agent-update';
import { boards } from './boards';
import { common } from './common';
import { nonconformance } from './nonconformance';
import { gatewayConfig } from './gateway-config';
import { gateways } from './gateways';
import { orderChanges } from './order-changes';
import { pages } from './pages';
import { planning } from './planning';
import { publicPages } from './public';
import { spc } from './spc';
import { station } from './station';

/** The catalog and `translate`, free of React, for pure code (route.ts) and unit tests. */
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

const catalog = {
  ...common,
  ...boards,
  ...pages,
  ...publicPages,
  ...station,
  ...orderChanges,
  ...nonconformance,
  ...spc,
  ...planning,
  ...gatewayConfig,
  ...gateways,
  ...agentUpdate,
};
export type MessageKey = keyof typeof catalog;
export type Vars = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  const [en, zh] = catalog[key];
  const text = lang === 'zh-CN' ? zh : en;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** Every key, for the test that checks both languages are filled in. */
export const MESSAGE_KEYS = Object.keys(catalog) as MessageKey[];
