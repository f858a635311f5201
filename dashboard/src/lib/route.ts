/**
 * What a URL asks the dashboard to show (docs/dashboard.md "URLs"). Pure: the shell renders
 * whatever this returns, and a URL it cannot read becomes a plain message, never a blank page.
 *
 *   /                                   the plant board
 *   /board?show=plant,line:line-a,orders,andon,kpis,planning&every=30
 *                                       boards in rotation, `every` seconds each (default 30)
 *   /analytics  /maintenance  /orders/import  /work-orders/<id>  /access  /track#<token>
 *   /planning                           the plan: Gantt, line load, unplannable orders, calculator
 *   /reports/monthly?month=YYYY-MM      the monthly improvement report (default: this month)
 *   /quality/nc                         nonconformance records (open, in rework, closed)
 *   /station/<id>                       an operator station (a station link adds `#station=<token>`)
 *   /spc  /spc/<characteristic>         SPC: the characteristics, and one's control chart
 *   /gateways/<id>/config               a gateway's remote configuration (admin)
 *   /gateways  /gateways/<id>           the gateways' health, and one's devices and tags
 *
 * Any page takes `lang=en|zh-CN`; a kiosk link adds `#kiosk=<token>`.
 */
import { translate, type MessageKey, type Vars } from '../i18n/translate';

export const BOARD_NAMES = ['plant', 'line', 'orders', 'andon', 'kpis', 'planning'] as const;
export type BoardName = (typeof BOARD_NAMES)[number];

export type BoardSpec =
  { board: 'plant' | 'orders' | 'andon' | 'kpis' | 'planning' } | { board: 'line'; line: string };

export const DEFAULT_ROTATION_S = 30;
export const MIN_ROTATION_S = 5;
export const MAX_ROTATION_S = 3600;

export type Route =
  | { kind: 'boards'; boards: BoardSpec[]; everyS: number }
  | { kind: 'analytics' }
  | { kind: 'maintenance' }
  | { kind: 'import' }
  | { kind: 'planning' }
  | { kind: 'monthly'; month: string | null }
  | { kind: 'work-order'; id: string }
  | { kind: 'nc' }
  | { kind: 'access' }
  | { kind: 'track' }
  | { kind: 'station'; id: string }
  | { kind: 'spc' }
  | { kind: 'spc-chart'; id: string }
  | { kind: 'gateway-config'; id: string }
  | { kind: 'gateways' }
  | { kind: 'gateway'; id: string }
  | BadUrl;

/** What is wrong with a URL: a label of the catalog (shown in the screen's language) and its values. */
export interface BadUrl {
  kind: 'bad-url';
  key: MessageKey;
  vars: Vars;
  /** The same in English, for logs and tests. */
  message: string;
}

function badUrl(key: MessageKey, vars: Vars = {}): BadUrl {
  return { kind: 'bad-url', key, vars, message: translate('en', key, vars) };
}

const ID = /^[A-Za-z0-9][\w.-]{0,63}$/;

function parseBoard(item: string): BoardSpec | BadUrl {
  const [name, arg, ...rest] = item.split(':');
  if (name === 'line') {
    if (!arg || rest.length > 0 || !ID.test(arg)) return badUrl('route.noLine', { item });
    return { board: 'line', line: arg };
  }
  if (
    name === 'plant' ||
    name === 'orders' ||
    name === 'andon' ||
    name === 'kpis' ||
    name === 'planning'
  ) {
    if (arg !== undefined) return badUrl('route.noArgument', { board: name, arg });
    return { board: name };
  }
  return badUrl('route.unknownBoard', { item });
}

export function parseBoards(show: string | null, every: string | null): Route {
  const items = (show ?? 'plant')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) return badUrl('route.noBoards');
  const boards: BoardSpec[] = [];
  for (const item of items) {
    const board = parseBoard(item);
    if ('kind' in board) return board;
    boards.push(board);
  }
  let everyS = DEFAULT_ROTATION_S;
  if (every !== null) {
    everyS = Number(every);
    if (!Number.isInteger(everyS) || everyS < MIN_ROTATION_S || everyS > MAX_ROTATION_S)
      return badUrl('route.badEvery', { every, min: MIN_ROTATION_S, max: MAX_ROTATION_S });
  }
  return { kind: 'boards', boards, everyS };
}

export function routeFor(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return parseBoards(null, null);
  if (path === '/board') return parseBoards(params.get('show'), params.get('every'));
  if (path === '/analytics') return { kind: 'analytics' };
  if (path === '/maintenance') return { kind: 'maintenance' };
  if (path === '/orders/import') return { kind: 'import' };
  if (path === '/planning') return { kind: 'planning' };
  if (path === '/reports/monthly') {
    const month = params.get('month');
    if (month !== null && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
      return badUrl('route.badMonth', { month });
    return { kind: 'monthly', month };
  }
  if (path === '/quality/nc') return { kind: 'nc' };
  if (path === '/access') return { kind: 'access' };
  if (path === '/track') return { kind: 'track' };
  if (path === '/spc') return { kind: 'spc' };
  if (path === '/gateways') return { kind: 'gateways' };
  const gateway = /^\/gateways\/([^/]+)$/.exec(path);
  if (gateway) {
    const id = decodeURIComponent(gateway[1]!);
    if (!ID.test(id)) return badUrl('route.noPage', { path });
    return { kind: 'gateway', id };
  }
  const spc = /^\/spc\/([^/]+)$/.exec(path);
  if (spc) {
    const id = decodeURIComponent(spc[1]!);
    if (!ID.test(id)) return badUrl('route.noPage', { path });
    return { kind: 'spc-chart', id };
  }
  const gatewayConfig = /^\/gateways\/([^/]+)\/config$/.exec(path);
  if (gatewayConfig) {
    const id = decodeURIComponent(gatewayConfig[1]!);
    if (!ID.test(id)) return badUrl('route.noPage', { path });
    return { kind: 'gateway-config', id };
  }
  const order = /^\/work-orders\/([^/]+)$/.exec(path);
  if (order) {
    const id = decodeURIComponent(order[1]!);
    if (!ID.test(id)) return badUrl('route.badOrderId', { id });
    return { kind: 'work-order', id };
  }
  const station = /^\/station\/([^/]+)$/.exec(path);
  if (station) {
    const id = decodeURIComponent(station[1]!);
    if (!ID.test(id)) return badUrl('route.badStationId', { id });
    return { kind: 'station', id };
  }
  return badUrl('route.noPage', { path });
}

/** The URL of a board list, as rotation and links write it. */
export function boardsUrl(boards: readonly BoardSpec[], everyS = DEFAULT_ROTATION_S): string {
  const show = boards.map((b) => (b.board === 'line' ? `line:${b.line}` : b.board)).join(',');
  return `/board?show=${show}${everyS === DEFAULT_ROTATION_S ? '' : `&every=${everyS}`}`;
}
