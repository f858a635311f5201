import { orderChangedEventSchema } from '@takt/protocol/api';

/**
 * Order changes heard on the live socket (`orders:changed`, docs/decisions.md "Issues 19/20 —
 * silence judged by arrival; live order changes"): `version` moves on every change (and on a
 * reconnect, when changes may have been missed); `byOrder` holds the version at which each
 * order last changed, so an order's page reloads only for its own changes.
 */
export interface OrderChanges {
  version: number;
  byOrder: Readonly<Record<string, number>>;
}

export const initialOrderChanges: OrderChanges = { version: 0, byOrder: {} };

export type OrderChangesAction = { type: 'changed'; raw: unknown } | { type: 'reconnected' };

export function orderChangesReducer(state: OrderChanges, action: OrderChangesAction): OrderChanges {
  if (action.type === 'reconnected') {
    // Anything may have changed while away: every order counts as changed.
    const version = state.version + 1;
    const byOrder = Object.fromEntries(Object.keys(state.byOrder).map((id) => [id, version]));
    return { version, byOrder: { ...byOrder, '*': version } };
  }
  const parsed = orderChangedEventSchema.safeParse(action.raw);
  if (!parsed.success) {
    console.error('takt dashboard: invalid orders:changed payload', parsed.error.issues);
    return state;
  }
  const version = state.version + 1;
  const { id, newId } = parsed.data;
  return {
    version,
    byOrder: { ...state.byOrder, [id]: version, ...(newId ? { [newId]: version } : {}) },
  };
}

/** The version at which `id` last changed (or everything did, on a reconnect). */
export function orderVersion(changes: OrderChanges, id: string): number {
  return Math.max(changes.byOrder[id] ?? 0, changes.byOrder['*'] ?? 0);
}
