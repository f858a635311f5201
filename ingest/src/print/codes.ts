/**
 * The codes printed on travellers and cards, and which cards a station gets, from the plant
 * model (docs/work-orders.md "Scans", "Other cards at a station", "Travellers and cards").
 * Pure: the plant in, the list out.
 */
import type { PlantModel, ReasonNode } from '@takt/protocol';
import { andonRulesAt } from '../alerts/andon';

/** What a station's scanner reads on a traveller: `<order id>|<operation id>`. */
export const travellerCode = (order: string, operation: string): string => `${order}|${operation}`;

/**
 * What the station patterns accept in each code's variable part (the demo scanner's
 * `reason-card`, `reject-pieces`, and the andon call, firmware-configs/demo-gateway.yaml):
 * a card whose id does not fit would be read as an unknown code, so it is not printed.
 */
export const CODE_PARTS = {
  reason: /^\d{2,4}$/,
  reject: /^[a-z0-9_-]{1,32}$/,
  andon: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
} as const;

export type CardKind = 'action' | 'reason' | 'reject' | 'andon';

export interface Card {
  kind: CardKind;
  /** Exactly what the barcode holds. */
  code: string;
  label: string;
  /** The label in Chinese, where there is one. */
  labelZh: string | undefined;
}

/**
 * The action cards (docs/work-orders.md): no ACT:START — an operation starts (or resumes) from
 * its traveller, which names it; a start card would resume whatever was paused last.
 */
const action = (name: string, label: string, labelZh: string): Card => ({
  kind: 'action',
  code: `ACT:${name}`,
  label,
  labelZh,
});
export const ACTION_CARDS: readonly Card[] = [
  action('PAUSE', 'Pause', '暂停'),
  action('COMPLETE', 'Complete operation', '完工'),
  action('LOGOUT', 'Log out', '下班退出'),
  action('CHANGEOVER', 'Changeover', '换型'),
  action('CLEANING', 'Cleaning', '清洁'),
  action('MAINTENANCE', 'Planned maintenance', '计划维护'),
  action('PRODUCTION', 'Production', '生产'),
];

/** The four calls docs/work-orders.md names; a plant's own calls print their rule name only. */
const ANDON_ZH: Readonly<Record<string, string>> = {
  maintenance: '呼叫维修',
  material: '呼叫物料',
  quality: '呼叫质检',
  supervisor: '呼叫班组长',
};

export interface Station {
  id: string;
  name: string;
}

type Loose = Record<string, unknown>;
const isLoose = (value: unknown): value is Loose => typeof value === 'object' && value !== null;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
/** A Chinese name beside the plant's `name`, where the model gives one (`names: { zh-CN }`). */
const zhOf = (node: unknown): string | undefined =>
  isLoose(node) && isLoose(node.names) ? text(node.names['zh-CN']) : undefined;

/** Stations listed in the plant model apart from its machines (`stations.list`), if any. */
function listedStations(plant: PlantModel): Station[] {
  const stations = (plant as unknown as Loose).stations;
  const list = isLoose(stations) && Array.isArray(stations.list) ? stations.list : [];
  return list.flatMap((s: unknown) => {
    const id = isLoose(s) ? text(s.id) : text(s);
    return id ? [{ id, name: (isLoose(s) && text(s.name)) || id }] : [];
  });
}

/** Every machine of the plant, then the stations it lists: where codes are scanned. */
export function stationsOf(plant: PlantModel | undefined): Station[] {
  if (!plant) return [];
  const machines = plant.lines.flatMap((l) => l.machines.map((m) => ({ id: m.id, name: m.name })));
  return [...machines, ...listedStations(plant)];
}

export interface CardSheet {
  station: Station;
  site: string;
  cards: Card[];
  /** Reasons and calls with no card: their id does not fit the station's pattern. */
  withoutCard: { code: string; label: string }[];
}

const leaves = (nodes: readonly ReasonNode[]): ReasonNode[] =>
  nodes.flatMap((n) => (n.children?.length ? leaves(n.children) : [n]));

/** The cards of one station: actions, then leaf stop reasons, reject reasons, andon calls. */
export function cardSheet(plant: PlantModel, station: Station): CardSheet {
  const cards: Card[] = [...ACTION_CARDS];
  const withoutCard: CardSheet['withoutCard'] = [];
  const add = (kind: Exclude<CardKind, 'action'>, part: string, card: Omit<Card, 'kind'>) => {
    if (CODE_PARTS[kind].test(part)) cards.push({ kind, ...card });
    else withoutCard.push({ code: card.code, label: card.label });
  };
  for (const reason of leaves(plant.reasons.downtime))
    add('reason', reason.id, { code: `R${reason.id}`, label: reason.name, labelZh: zhOf(reason) });
  for (const reason of plant.reasons.reject)
    add('reject', reason.id, {
      code: `REJ:1:${reason.id}`,
      label: reason.name,
      labelZh: zhOf(reason),
    });
  for (const rule of andonRulesAt(plant, station.id))
    add('andon', rule.call, {
      code: `ANDON:${rule.call}`,
      label: rule.label?.en ?? rule.name ?? rule.call,
      labelZh: rule.label?.['zh-CN'] ?? ANDON_ZH[rule.call],
    });
  return { station, site: plant.site.name, cards, withoutCard };
}
