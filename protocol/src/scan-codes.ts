import { SCAN_FIELDS, type ScanPattern } from './config/devices/serial-scanner';
import { scanPayloadSchema } from './payloads';

/**
 * Station codes: a scanned text -> the fields of a scan message. One parser for every way a
 * code arrives (a serial scanner on a gateway, a station's browser through ingest), so a code
 * means the same wherever it is scanned (docs/decisions.md "Issue 17 — the operator station").
 * Pure: no I/O, no clock.
 */

type ScanField = (typeof SCAN_FIELDS)[number];

/** Fields a code's pattern fills; they become the scan message's fields. */
export interface ScanFields {
  workOrder?: string;
  operation?: string;
  action?: string;
  reason?: string;
  operator?: string;
  /** Pieces reported by hand, as digits. */
  quantity?: string;
}

export interface CompiledPattern {
  name: string;
  regex: RegExp;
  set: ScanFields;
}

/** What a code matching no pattern is published with: recorded, never dropped. */
export const UNKNOWN_FIELDS: Readonly<ScanFields> = Object.freeze({ action: 'unknown' });

/**
 * The codes a station understands unless the plant model says otherwise: those of the demo
 * gateway's scanner (firmware-configs/demo-gateway.yaml) plus andon calls. Travellers,
 * cards and badges printed by Takt carry these.
 */
export const STANDARD_STATION_CODES: readonly ScanPattern[] = Object.freeze([
  {
    name: 'traveller',
    regex: '^(?<workOrder>WO-\\d{3,10})\\|(?<operation>OP\\d{2,3})$',
    set: { action: 'start' },
  },
  { name: 'action-card', regex: '^ACT:(?<action>[A-Z]+)$', set: {} },
  { name: 'badge', regex: '^E(?<operator>\\d{4,8})$', set: { action: 'login' } },
  { name: 'reason-card', regex: '^R(?<reason>\\d{2,4})$', set: { action: 'reason' } },
  { name: 'good-pieces', regex: '^QTY:(?<quantity>[1-9]\\d{0,5})$', set: { action: 'good' } },
  {
    name: 'reject-pieces',
    regex: '^REJ:(?<quantity>[1-9]\\d{0,5}):(?<reason>[a-z0-9_-]{1,32})$',
    set: { action: 'reject' },
  },
  // The call is the `call` of an alert rule of kind `andon` (protocol/src/config/alerts.ts).
  {
    name: 'andon-call',
    regex: '^ANDON:(?<reason>[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$',
    set: { action: 'andon' },
  },
]);

export function compilePatterns(patterns: readonly ScanPattern[]): CompiledPattern[] {
  return patterns.map((p) => ({ name: p.name, regex: new RegExp(p.regex), set: { ...p.set } }));
}

/** The wire schema's limits decide whether a field can be sent (max 32 for action, 64 else). */
const fitsWire = (field: ScanField, value: string) =>
  scanPayloadSchema.shape[field].safeParse(value).success;

/**
 * First matching pattern wins. Its `set` gives fixed fields; named groups that took part in
 * the match fill or override them (so `set` is the default of an optional group). A match
 * whose fields the wire would reject (a group longer than the scan schema allows) does not
 * count: the code is then still published, as `unknown` at worst.
 */
export function matchCode(
  code: string,
  patterns: readonly CompiledPattern[],
): { pattern: string | undefined; fields: ScanFields } {
  for (const p of patterns) {
    const match = p.regex.exec(code);
    if (!match) continue;
    const fields: ScanFields = { ...p.set };
    for (const field of SCAN_FIELDS) {
      const value = match.groups?.[field];
      if (value !== undefined && value !== '') fields[field] = value;
    }
    const entries = Object.entries(fields) as [ScanField, string][];
    if (entries.every(([field, value]) => fitsWire(field, value)))
      return { pattern: p.name, fields };
  }
  return { pattern: undefined, fields: { ...UNKNOWN_FIELDS } };
}
