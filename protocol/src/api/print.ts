import { z } from 'zod';
import { STAFF, STATION_ACTORS, defineRoute, type Access } from './contract';
import { stringIdParams } from './common';

/**
 * Who prints: every staff role (they read orders) and who acts at a station (operators and a
 * station's link), since the travellers and cards are what a station scans
 * (docs/work-orders.md "Travellers and cards").
 */
export const PRINT_READERS: readonly Access[] = [...new Set([...STAFF, ...STATION_ACTORS])];

/** The PDF file itself: ingest sends a Buffer, the browser downloads it. */
const pdfFile = z.custom<Uint8Array<ArrayBufferLike>>((value) => value instanceof Uint8Array);

export const printRoutes = {
  traveller: defineRoute({
    method: 'GET',
    path: '/api/work-orders/:id/traveller.pdf',
    // Staff only: a station link reaches only routes whose :id is its station, and this :id is
    // an order (docs/decisions.md "Issue 17 — the operator station").
    access: STAFF,
    summary: "An order's printable traveller (A4): details and one WO|OP barcode per operation",
    params: stringIdParams,
    response: pdfFile,
    pdf: true,
    responseDescription:
      'the order, its product, quantity, customer, due date (plant time) and priority, a Code 128 of the order id, then per operation its machine, a Code 128 of `<order>|<operation>` and empty good / reject / signature / date columns',
    errors: { 404: 'no such work order' },
  }),
  cards: defineRoute({
    method: 'GET',
    path: '/api/stations/:id/cards.pdf',
    access: PRINT_READERS,
    summary: "A station's card sheet (A4): action, stop reason, reject and andon call cards",
    params: stringIdParams,
    response: pdfFile,
    pdf: true,
    responseDescription:
      'one card per code the station understands (ACT:…, R<reason>, REJ:1:<reason>, ANDON:<call>), each with a Code 128 and its label',
    errors: { 404: 'no such station' },
  }),
};
