/**
 * "Why did it stop?" in two taps (docs/dashboard.md "Station"): the plant's downtime reason
 * tree, groups first, then the reasons of a group; most used first at this machine (the
 * station view's `uses`, last 30 days), then in the plant's order. Pure.
 */
import type { ReasonNode } from '@takt/protocol';

export interface ReasonChoice {
  id: string;
  name: string;
  /** A group to open; a leaf is the answer. */
  children: ReasonChoice[] | undefined;
  uses: number;
}

function choice(node: ReasonNode, uses: Readonly<Record<string, number>>): ReasonChoice {
  const children = node.children?.length ? sortChoices(node.children, uses) : undefined;
  const own = uses[node.id] ?? 0;
  const total = children ? children.reduce((sum, c) => sum + c.uses, own) : own;
  return { id: node.id, name: node.name, children, uses: total };
}

function sortChoices(
  nodes: readonly ReasonNode[],
  uses: Readonly<Record<string, number>>,
): ReasonChoice[] {
  return nodes
    .map((node, order) => ({ c: choice(node, uses), order }))
    .sort((a, b) => b.c.uses - a.c.uses || a.order - b.order)
    .map(({ c }) => c);
}

/** The tree as the prompt shows it: a group's uses are the sum of its reasons'. */
export function reasonChoices(
  tree: readonly ReasonNode[],
  uses: Readonly<Record<string, number>>,
): ReasonChoice[] {
  return sortChoices(tree, uses);
}
