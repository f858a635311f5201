/**
 * Links to the printable PDFs (docs/work-orders.md "Travellers and cards"), built from their
 * contracts. Plain links: the browser sends the session cookie and opens the PDF itself.
 */
import { api } from '@takt/protocol/api';
import { apiPath } from './api';

/** An order's traveller: its details and one `WO|OP` barcode per operation. */
export const travellerUrl = (orderId: string): string =>
  apiPath(api.print.traveller, { params: { id: orderId } });

/** A station's card sheet: action, stop reason, reject and andon call cards. */
export const stationCardsUrl = (stationId: string): string =>
  apiPath(api.print.cards, { params: { id: stationId } });
