import type { PlantModel, ReasonNode } from '@takt/protocol';

/** Reason codes the plant's tree files under setup losses (a node and all below it). */
export function setupReasons(plant: PlantModel | null): Set<string> {
  const out = new Set<string>();
  const walk = (nodes: readonly ReasonNode[], inherited: boolean) => {
    for (const n of nodes) {
      const setup = n.loss === 'setup' || (inherited && n.loss !== 'breakdown');
      if (setup) out.add(n.id);
      walk(n.children ?? [], setup);
    }
  };
  walk(plant?.reasons?.downtime ?? [], false);
  return out;
}
