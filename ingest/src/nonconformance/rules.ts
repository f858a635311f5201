import type { Message, NcDispositionBody, NcOpenBody, NcReworkBody } from '@takt/protocol';

/**
 * What an NC may do, decided on plain data (docs/architecture.md "Conventions" 4;
 * docs/decisions.md, "Issue 23 — nonconformance and rework"). The store locks the rows, asks
 * here, and writes what the answer says.
 */

/** The operation's pieces as they stand, and the NC pieces already held in its rejects. */
export interface OperationPieces {
  order: string;
  operation: string;
  good: number;
  rejected: number;
  /** Pieces of this operation's NCs still counted rejected (not reworked good or conceded). */
  heldByNcs: number;
}

export interface NcState {
  id: number;
  status: 'open' | 'rework' | 'closed';
  quantity: number;
  reworked: number;
  scrapped: number;
}

/** A refusal: the HTTP status and the reason as a message. */
export interface Refusal {
  status: 400 | 404 | 409;
  message: Message;
}

/** A move of pieces between good and rejected of the operation, as a `count` event. */
export interface PieceMove {
  good: number;
  rejected: number;
  source: 'nc' | 'rework' | 'concession';
}

/**
 * Opening an NC. From a reject: its pieces are rejected already and must not be held by
 * another NC. From a failed inspection: the pieces were counted good, so they move to
 * rejected now (pieces made stay the same; they come back by rework or concession).
 */
export function openDecision(
  body: NcOpenBody,
  op: OperationPieces,
  knownReasons: readonly string[],
): { move: PieceMove | null } | Refusal {
  if (knownReasons.length > 0 && !knownReasons.includes(body.reason))
    return { status: 400, message: { key: 'nc.unknownReason', params: { reason: body.reason } } };
  const at = { order: op.order, operation: op.operation, quantity: body.quantity };
  if (body.source === 'reject') {
    const free = Math.max(0, op.rejected - op.heldByNcs);
    if (body.quantity > free)
      return { status: 409, message: { key: 'nc.exceedsRejected', params: { ...at, free } } };
    return { move: null };
  }
  if (body.quantity > op.good)
    return { status: 409, message: { key: 'nc.exceedsGood', params: { ...at, good: op.good } } };
  return { move: { good: -body.quantity, rejected: body.quantity, source: 'nc' } };
}

/** Deciding an open NC: rework waits, scrap closes, use-as-is turns its pieces good. */
export function dispositionDecision(
  nc: NcState,
  body: NcDispositionBody,
): { status: NcState['status']; move: PieceMove | null; scrapped: number } | Refusal {
  if (nc.status !== 'open')
    return {
      status: 409,
      message: { key: 'nc.notOpen', params: { id: String(nc.id), status: nc.status } },
    };
  if (body.disposition === 'rework') return { status: 'rework', move: null, scrapped: 0 };
  if (body.disposition === 'scrap') return { status: 'closed', move: null, scrapped: nc.quantity };
  return {
    status: 'closed',
    move: { good: nc.quantity, rejected: -nc.quantity, source: 'concession' },
    scrapped: 0,
  };
}

/** Pieces reworked: the good ones count good of the operation now; done when none is left. */
export function reworkDecision(
  nc: NcState,
  body: NcReworkBody,
): { status: NcState['status']; move: PieceMove | null } | Refusal {
  const id = String(nc.id);
  if (nc.status !== 'rework')
    return { status: 409, message: { key: 'nc.notInRework', params: { id } } };
  const left = nc.quantity - nc.reworked - nc.scrapped;
  const quantity = body.good + (body.scrapped ?? 0);
  if (quantity > left)
    return { status: 409, message: { key: 'nc.reworkTooMany', params: { id, left, quantity } } };
  return {
    status: quantity === left ? 'closed' : 'rework',
    move: body.good > 0 ? { good: body.good, rejected: -body.good, source: 'rework' } : null,
  };
}

/** Pieces waiting in rework. */
export const inRework = (nc: NcState) =>
  nc.status === 'rework' ? nc.quantity - nc.reworked - nc.scrapped : 0;
