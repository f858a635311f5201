import {
  api,
  compilePatterns,
  matchCode,
  scanPayloadSchema,
  stationPinBodySchema,
  stringIdParams,
  toSeqRanges,
  type DecodedMessage,
  type Message,
  type ScanPayload,
  type StationScansBody,
} from '@takt/protocol';
import type { FastifyReply } from 'fastify';
import type { Principal } from '../auth/access';
import { LoginLimiter } from '../auth/login-limiter';
import { verifyPassword } from '../auth/secrets';
import { WORK_ORDERS_CONSUMER } from '../consumers/work-orders';
import { INGEST_ERRORS, IngestError } from '../errors';
import { WEB_GATEWAY_PREFIX } from '../pipeline/commit-waiters';
import type { IngestItem } from '../pipeline/items';
import { giveStopReason } from '../queries/station-stops';
import { readerOf, rendered, type Reader } from '../queries/message-text';
import { findStation, stationCodes, stationView, type Station } from '../queries/stations';
import { routeOf } from '../route-contract';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

/** A station's scans wait this long for their COMMIT before the device is told to send again. */
const COMMIT_WAIT_MS = 10_000;

const stationNotFound = (id: string) =>
  new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`station "${id}"`),
    404,
  );

/** Who acted, as the station's records name them. */
const actor = (p: Principal | undefined) =>
  p?.kind === 'user' ? p.name : p?.kind === 'station' ? `station:${p.label}` : 'unknown';

/**
 * The codes of one POST -> scan messages of the station's own gateway `web:<device>`, read
 * with the plant's station codes (protocol/src/scan-codes.ts), as a gateway's scanner reads
 * them. A signed-in operator's name goes on scans that name nobody.
 */
export function stationMessages(
  station: Station,
  body: StationScansBody,
  operator: string | undefined,
): { messages: DecodedMessage[] } | { problem: string } {
  const patterns = compilePatterns(stationCodes(station));
  const messages: DecodedMessage[] = [];
  for (const [i, scan] of body.scans.entries()) {
    const ts = typeof scan.ts === 'number' ? scan.ts : Date.parse(scan.ts);
    const { fields } = matchCode(scan.code, patterns);
    const payload: ScanPayload = { v: 1, seq: scan.seq, ts, code: scan.code, ...fields };
    if (operator !== undefined && payload.operator === undefined) payload.operator = operator;
    const checked = scanPayloadSchema.safeParse(payload);
    if (!checked.success)
      return { problem: `scans[${i}]: ${checked.error.issues.map((x) => x.message).join('; ')}` };
    messages.push({
      kind: 'scan',
      site: station.site,
      gatewayId: `${WEB_GATEWAY_PREFIX}${body.device}`,
      machineId: station.id,
      payload: checked.data,
    });
  }
  return { messages };
}

/**
 * The operator station's routes (docs/work-orders.md "Stations in the browser"): its screen,
 * its scans through the pipeline, its answers to "why did it stop?" and PIN sign-in.
 */
export const stationsPlugin: IngestPlugin = (app, { pool, log, waiters, consumers, settings }) => {
  const pins = new LoginLimiter(settings.loginMaxFailures, settings.loginWindowMs);
  const station = async (id: string) => {
    const found = await findStation(pool, id);
    if (!found) throw stationNotFound(id);
    return found;
  };

  app.get('/api/stations/:id', routeOf(api.stations.view), async (request) => {
    const found = await station(request.params.id);
    await consumers.settled(WORK_ORDERS_CONSUMER); // reads see every committed scan applied
    const { lang } = readerOf(request, found.plant.site.timeZone);
    return stationView(pool, found, Date.now(), lang);
  });

  app.post('/api/stations/:id/scans', routeOf(api.stations.scans), async (request, reply) => {
    const found = await station(request.params.id);
    const p = request.principal;
    const operator = p?.kind === 'user' && p.role === 'operator' ? p.name : undefined;
    const made = stationMessages(found, request.body, operator);
    if ('problem' in made) throw new IngestError('INGEST_ERR_BAD_REQUEST', made.problem, 400);
    const receivedAtMs = Date.now();
    const items: IngestItem[] = made.messages.map((message) => ({
      kind: 'message',
      message,
      receivedAtMs,
    }));
    const outcome = await waiters.enqueue(items, COMMIT_WAIT_MS);
    if (outcome !== 'committed') {
      log.warn(
        { station: found.id, device: request.body.device, outcome },
        'station scans not acked',
      );
      return (reply as FastifyReply)
        .code(503)
        .header('retry-after', '5')
        .send({
          error: 'Service Unavailable',
          code: 'INGEST_ERR_BUSY',
          message: INGEST_ERRORS.INGEST_ERR_BUSY(
            outcome === 'busy' ? 'ingest is busy' : 'the store is slow',
          ),
        });
    }
    return { acked: toSeqRanges(request.body.scans.map((s) => s.seq)) };
  });

  app.post('/api/stations/:id/stop-reason', routeOf(api.stations.stopReason), async (request) => {
    const found = await station(request.params.id);
    if (found.machine === null)
      throw new IngestError(
        'INGEST_ERR_CONFLICT',
        `station "${found.id}" has no machine whose stops it explains`,
        409,
      );
    const outcome = await giveStopReason(
      pool,
      {
        machine: found.machine,
        station: found.id,
        by: actor(request.principal),
        stopStartMs: Date.parse(request.body.stopStart),
        reason: request.body.reason,
      },
      found.plant,
    );
    if (!outcome.ok) throw stopReasonError(outcome, readerOf(request, found.plant.site.timeZone));
    return {
      ok: true as const,
      stopStart: outcome.stopStart,
      stopEnd: outcome.stopEnd,
      reason: outcome.reason,
    };
  });

  app.post('/api/stations/:id/pin', routeOf(api.stations.pin), async (request, reply) => {
    // The contract's schemas are checked here (validateInHandler): the path id first.
    const params = stringIdParams.safeParse(request.params);
    if (!params.success) throw badRequest(params.error);
    const found = await station(params.data.id);
    const waitMs = pins.retryAfterMs(found.id);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return (reply as FastifyReply)
        .code(429)
        .header('retry-after', String(seconds))
        .send({
          error: 'Too Many Requests',
          code: 'INGEST_ERR_PIN_LIMIT',
          message: INGEST_ERRORS.INGEST_ERR_PIN_LIMIT(seconds),
        });
    }
    // The body is checked after the limit (protocol/src/api/stations.ts, validateInHandler).
    const body = stationPinBodySchema.safeParse(request.body);
    if (!body.success) throw badRequest(body.error);
    const operator = await operatorByPin(body.data.pin);
    if (!operator) {
      pins.fail(found.id);
      log.info({ station: found.id }, 'wrong PIN at a station');
      throw new IngestError('INGEST_ERR_PIN', INGEST_ERRORS.INGEST_ERR_PIN(), 401);
    }
    return operator;
  });

  /** Every operator's hash is tried (a PIN names nobody by itself); PINs are unique. */
  async function operatorByPin(pin: string) {
    const { rows } = await pool.query<{ badge: string; name: string; pin_hash: string }>(
      'SELECT badge, name, pin_hash FROM operators ORDER BY badge',
    );
    for (const row of rows)
      if (await verifyPassword(pin, row.pin_hash)) return { badge: row.badge, name: row.name };
    return undefined;
  }
};

/** A refused stop reason, in the reader's language (queries/message-text.ts). */
export function stopReasonError(
  outcome: { status: 400 | 404 | 409; message: Message },
  reader: Reader,
) {
  const code =
    outcome.status === 404
      ? 'INGEST_ERR_NOT_FOUND'
      : outcome.status === 409
        ? 'INGEST_ERR_CONFLICT'
        : 'INGEST_ERR_BAD_REQUEST';
  return new IngestError(code, rendered(outcome.message, reader).message, outcome.status);
}
