/**
 * The station's writes (protocol/src/api/stations.ts): scans go through the outbox
 * (outbox.ts); a stop's reason and a PIN are asked at once, as they need an answer on screen.
 */
import { stationRoutes, type ApiResponse } from '@takt/protocol/api';
import { apiPath } from '../lib/api';
import { apiFetch } from '../lib/credentials';
import type { SendResult, SendScans } from './outbox';

async function postJson(url: string, body: unknown): Promise<Response> {
  return apiFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function messageOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  return body.message ?? `HTTP ${response.status}`;
}

/** `[[1, 3], [5, 5]]` (runs of seqs, as a gateway's ack) -> 1, 2, 3, 5. */
export function seqsOfRuns(runs: readonly (readonly [number, number])[]): number[] {
  const seqs: number[] = [];
  for (const [from, to] of runs) for (let seq = from; seq <= to; seq++) seqs.push(seq);
  return seqs;
}

/** POST /api/stations/:id/scans, its answer read as the outbox needs it. */
export const sendScans: SendScans = async (station, device, scans): Promise<SendResult> => {
  let response: Response;
  try {
    response = await postJson(apiPath(stationRoutes.scans, { params: { id: station } }), {
      device,
      scans,
    });
  } catch (error) {
    return { kind: 'failed', message: String(error) };
  }
  if (response.ok) {
    const body = (await response.json()) as ApiResponse<typeof stationRoutes.scans>;
    return { kind: 'acked', seqs: seqsOfRuns(body.acked) };
  }
  if (response.status === 401 || response.status === 403)
    return { kind: 'unauthorized', status: response.status };
  // 408 / 429 / 5xx: later; any other 4xx will never be taken.
  if (response.status >= 500 || response.status === 408 || response.status === 429)
    return { kind: 'failed', message: await messageOf(response) };
  return { kind: 'refused', status: response.status, message: await messageOf(response) };
};

export type Answer<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

async function answer<T>(response: Promise<Response>): Promise<Answer<T>> {
  try {
    const r = await response;
    if (r.ok) return { ok: true, value: (await r.json()) as T };
    return { ok: false, status: r.status, message: await messageOf(r) };
  } catch (error) {
    return { ok: false, status: 0, message: String(error) };
  }
}

export function postStopReason(
  station: string,
  stopStart: string,
  reason: string,
): Promise<Answer<ApiResponse<typeof stationRoutes.stopReason>>> {
  return answer(
    postJson(apiPath(stationRoutes.stopReason, { params: { id: station } }), { stopStart, reason }),
  );
}

export async function postPin(
  station: string,
  pin: string,
): Promise<Answer<ApiResponse<typeof stationRoutes.pin>> & { retryAfterS?: number }> {
  const url = apiPath(stationRoutes.pin, { params: { id: station } });
  try {
    const r = await postJson(url, { pin });
    if (r.ok) return { ok: true, value: (await r.json()) as ApiResponse<typeof stationRoutes.pin> };
    const retry = Number(r.headers.get('retry-after'));
    return {
      ok: false,
      status: r.status,
      message: await messageOf(r),
      ...(Number.isFinite(retry) && retry > 0 ? { retryAfterS: retry } : {}),
    };
  } catch (error) {
    return { ok: false, status: 0, message: String(error) };
  }
}
