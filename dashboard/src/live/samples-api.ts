import { apiFetch } from '../lib/credentials';
import { sampleSeriesSchema, type SampleSeries } from '@takt/protocol/live';

/** `GET /api/machines/:id/samples?tag=&minutes=`: one tag's recent history, oldest first. */
export async function fetchSamples(
  machineId: string,
  tag: string,
  minutes: number,
  signal: AbortSignal,
): Promise<SampleSeries> {
  const query = new URLSearchParams({ tag, minutes: String(minutes) });
  const url = `/api/machines/${encodeURIComponent(machineId)}/samples?${query.toString()}`;
  const response = await apiFetch(url, { signal });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return sampleSeriesSchema.parse(await response.json());
}
