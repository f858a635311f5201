import { api, type PlantModel } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { cardSheet, stationsOf } from '../print/codes';
import { renderCards } from '../print/cards';
import { printFont } from '../print/pdf';
import { renderTraveller, type TravellerData } from '../print/traveller';
import { routeOf } from '../route-contract';
import { loadOrder, type OrderRecord } from '../work-orders/store';
import type { IngestPlugin } from './types';
import { orderNotFound } from './work-orders';

const stationNotFound = (id: string) =>
  new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`station "${id}"`),
    404,
  );

/** The traveller's data: the stored order with names from the plant model. */
function travellerOf(
  record: OrderRecord,
  plant: PlantModel | undefined,
  printedAt: number,
): TravellerData {
  const names = new Map(stationsOf(plant).map((s) => [s.id, s.name]));
  const product = plant?.products.find((p) => p.id === record.product);
  return {
    order: {
      id: record.order.id,
      product: record.product,
      productName: product?.name ?? null,
      quantity: record.order.quantity,
      customer: record.customer,
      dueAt: record.order.dueAt,
      priority: record.priority,
    },
    operations: record.order.operations.map((op) => ({
      id: op.id,
      machine: op.machine,
      machineName: names.get(op.machine) ?? op.machine,
    })),
    site: plant?.site.name ?? '',
    timeZone: plant?.site.timeZone ?? 'UTC',
    printedAt,
  };
}

/**
 * Printed travellers and station cards (docs/work-orders.md "Travellers and cards"): PDF files
 * made on request from the order and the plant model; nothing is stored.
 */
export const printPlugin: IngestPlugin = (app, { pool, plant, log }) => {
  const font = printFont(log);
  const pdf = (name: string) => ({
    'content-type': 'application/pdf',
    // Ids are plain (protocol/src/ids.ts); a station listed in the plant is read loosely.
    'content-disposition': `inline; filename="${name.replace(/[^\w.-]/g, '_')}.pdf"`,
  });

  app.get(
    '/api/work-orders/:id/traveller.pdf',
    routeOf(api.print.traveller),
    async (request, reply) => {
      const record = await loadOrder(pool, request.params.id);
      if (!record) throw orderNotFound(request.params.id);
      const file = await renderTraveller(travellerOf(record, plant, Date.now()), font);
      return reply.headers(pdf(`traveller-${record.order.id}`)).send(file);
    },
  );

  app.get('/api/stations/:id/cards.pdf', routeOf(api.print.cards), async (request, reply) => {
    const station = stationsOf(plant).find((s) => s.id === request.params.id);
    if (!plant || !station) throw stationNotFound(request.params.id);
    const file = await renderCards(cardSheet(plant, station), font);
    return reply.headers(pdf(`cards-${station.id}`)).send(file);
  });
};
