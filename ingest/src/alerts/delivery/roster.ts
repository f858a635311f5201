import type { AlertRuleKind, PlantModel } from '@takt/protocol';

/**
 * The mobiles to @mention for an alert (protocol/src/config/alerts.ts `onCall`): entries
 * matching its rule's kind and the line of its subject (a machine, or a station with a line).
 */
export function onCallMobiles(
  plant: PlantModel | undefined,
  kind: AlertRuleKind | undefined,
  subject: string,
): string[] {
  const roster = plant?.alerts.onCall ?? [];
  if (roster.length === 0) return [];
  const line =
    plant?.lines.find((l) => l.machines.some((m) => m.id === subject))?.id ??
    plant?.stations?.list?.find((s) => s.id === subject)?.line;
  const mobiles = new Set<string>();
  for (const entry of roster) {
    if (entry.kinds && (kind === undefined || !entry.kinds.includes(kind))) continue;
    if (entry.lines && (line === undefined || !entry.lines.includes(line))) continue;
    for (const m of entry.mobiles) mobiles.add(m);
  }
  return [...mobiles];
}
