import type { MachineSnapshot } from '@takt/protocol/live';

export interface LineGroup {
  /** The line id, or '' for machines that belong to no line. */
  lineId: string;
  lineName: string;
  machines: MachineSnapshot[];
}

export const NO_LINE_NAME = 'No line';

/**
 * Groups machines by line, keeping the server's order (the plant model's order) for both the
 * lines and the machines in them. Machines without a line come last.
 */
export function groupByLine(machines: readonly MachineSnapshot[]): LineGroup[] {
  const groups = new Map<string, LineGroup>();
  for (const machine of machines) {
    const lineId = machine.line ?? '';
    let group = groups.get(lineId);
    if (!group) {
      const lineName = machine.lineName ?? machine.line ?? NO_LINE_NAME;
      group = { lineId, lineName, machines: [] };
      groups.set(lineId, group);
    }
    group.machines.push(machine);
  }
  const ordered = [...groups.values()];
  return [...ordered.filter((g) => g.lineId !== ''), ...ordered.filter((g) => g.lineId === '')];
}

/** The site name(s) to show in the header, or null when no machine says. */
export function siteTitle(machines: readonly MachineSnapshot[]): string | null {
  const sites = [...new Set(machines.map((m) => m.site).filter((s): s is string => !!s))];
  return sites.length > 0 ? sites.join(' · ') : null;
}
