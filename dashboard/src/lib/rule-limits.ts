/**
 * The limits of threshold alert rules (protocol/src/config/alerts.ts) for one machine's tag,
 * to draw on its trend: `above` and `below` as lines, from rules that are switched on.
 */
export interface RuleLimit {
  rule: string;
  /** The rule's name, else its id. */
  label: string;
  side: 'above' | 'below';
  value: number;
  severity: string;
}

interface ThresholdLike {
  id?: unknown;
  name?: unknown;
  kind?: unknown;
  enabled?: unknown;
  machines?: unknown;
  tag?: unknown;
  above?: unknown;
  below?: unknown;
  severity?: unknown;
}

export function ruleLimits(rules: readonly unknown[], machine: string, tag: string): RuleLimit[] {
  const out: RuleLimit[] = [];
  for (const raw of rules) {
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as ThresholdLike;
    if (r.kind !== 'threshold' || r.enabled === false || r.tag !== tag) continue;
    if (!Array.isArray(r.machines) || !r.machines.includes(machine)) continue;
    const rule = String(r.id);
    const label = typeof r.name === 'string' ? r.name : rule;
    const severity = typeof r.severity === 'string' ? r.severity : 'warning';
    for (const side of ['above', 'below'] as const) {
      const value = r[side];
      if (typeof value === 'number') out.push({ rule, label, side, value, severity });
    }
  }
  return out;
}

/** The tags some threshold rule watches on this machine (the maintenance page shows these first). */
export function watchedTags(rules: readonly unknown[], machine: string): string[] {
  const tags = new Set<string>();
  for (const raw of rules) {
    const r = raw as ThresholdLike;
    if (r?.kind === 'threshold' && Array.isArray(r.machines) && r.machines.includes(machine))
      if (typeof r.tag === 'string') tags.add(r.tag);
  }
  return [...tags];
}
