import {
  ATTRIBUTE_CHARTS,
  valuesPerSubgroup,
  type CharacteristicConfig,
  type MeasurementBody,
  type Message,
  type PlantModel,
} from '@takt/protocol';
import { DEFAULT_HORIZON, type TimeHorizon } from '../domain/time-horizon';

export const characteristicOf = (plant: PlantModel | undefined, id: string) =>
  plant?.quality.characteristics.find((c) => c.id === id);

const DAY_MS = 86_400_000;

/** A duration as `1 h` / `365 days` for a refusal. */
const span = (ms: number) =>
  ms >= 2 * DAY_MS ? `${Math.floor(ms / DAY_MS)} days` : `${Math.round(ms / 3_600_000)} h`;

/**
 * Why a measurement cannot be stored as a subgroup of its characteristic, or null: the values
 * a subgroup of it holds, counts that are counts, and a time inside the timestamp horizon
 * (domain/time-horizon.ts, as the gateways' messages).
 */
export function measurementProblem(
  c: CharacteristicConfig | undefined,
  body: MeasurementBody,
  at: number,
  now: number,
  horizon: TimeHorizon = DEFAULT_HORIZON,
): Message | null {
  const characteristic = body.characteristic;
  if (!c) return { key: 'spc.unknownCharacteristic', params: { characteristic } };
  const count = body.values.length;
  const size = valuesPerSubgroup(c);
  if (ATTRIBUTE_CHARTS.includes(c.chart)) {
    if (count !== 1) return { key: 'spc.oneCount', params: { characteristic, count } };
    const value = body.values[0]!;
    if (!Number.isInteger(value) || value < 0)
      return { key: 'spc.badCount', params: { characteristic, value } };
    const n = body.n ?? c.subgroupSize;
    if ((c.chart === 'p' || c.chart === 'u') && n === undefined)
      return { key: 'spc.needN', params: { characteristic } };
    if ((c.chart === 'p' || c.chart === 'np') && n !== undefined && value > n)
      return { key: 'spc.countAboveN', params: { characteristic, value, n } };
  } else if (count !== size) {
    return { key: 'spc.wrongSize', params: { characteristic, size, count } };
  }
  const iso = new Date(at).toISOString();
  if (at - now > horizon.aheadMs)
    return { key: 'spc.atAhead', params: { at: { time: iso }, ahead: span(horizon.aheadMs) } };
  if (now - at > horizon.maxAgeDays * DAY_MS)
    return {
      key: 'spc.atTooOld',
      params: { at: { time: iso }, maxAge: span(horizon.maxAgeDays * DAY_MS) },
    };
  return null;
}
