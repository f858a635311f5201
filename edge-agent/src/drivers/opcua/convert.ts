import type { OpcuaTagConfig, Quality, ReadingValue } from '@takt/protocol';
import type { TagReading } from '../types';

/**
 * The part of a node-opcua DataValue this module reads. Kept structural so that the
 * conversion is a pure function, testable without loading node-opcua.
 */
export interface DataValueLike {
  value: { dataType: number; arrayType: number; value: unknown };
  statusCode: { value: number; name?: string };
  sourceTimestamp?: Date | null;
  serverTimestamp?: Date | null;
}

/** Built-in type ids (OPC UA Part 6, 5.1.2 Built-in Types). */
const BUILTIN = {
  Null: 0,
  Boolean: 1,
  SByte: 2,
  UInt16: 5,
  UInt32: 7,
  Int64: 8,
  UInt64: 9,
  Double: 11,
  String: 12,
  DateTime: 13,
  ByteString: 15,
  LocalizedText: 21,
} as const;
const SCALAR = 0; // VariantArrayType.Scalar (OPC UA Part 6, 5.2.2.16 Variant encoding mask)

/** Strings longer than this are not a reading (the wire schema caps strings at 256). */
export const MAX_STRING_LENGTH = 256;

/** Severity, bits 31-30 of a StatusCode: 00 Good, 01 Uncertain, 1x Bad (Part 4 v1.05, 7.39). */
export function qualityOf(statusCode: number): Quality {
  const severity = statusCode >>> 30;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

/** Source time, else server time, else the gateway's clock (null or year 1601 = not set). */
export function timestampOf(dataValue: DataValueLike, now: () => number): number {
  for (const date of [dataValue.sourceTimestamp, dataValue.serverTimestamp]) {
    const ms = date instanceof Date ? date.getTime() : NaN;
    if (Number.isFinite(ms) && ms > 0) return ms;
  }
  return now();
}

/** 64-bit integers arrive as [high, low] 32-bit words; beyond 2^53 they lose precision. */
function int64(value: unknown, signed: boolean): number {
  if (!Array.isArray(value)) return Number(value);
  const [high, low] = value as [number, number];
  return (signed ? high | 0 : high >>> 0) * 2 ** 32 + (low >>> 0);
}

function scalar(dataType: number, value: unknown): ReadingValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (dataType === BUILTIN.Boolean) return Boolean(value);
  if (dataType === BUILTIN.Int64 || dataType === BUILTIN.UInt64) {
    return int64(value, dataType === BUILTIN.Int64);
  }
  if (dataType >= BUILTIN.SByte && dataType <= BUILTIN.Double) return Number(value);
  if (dataType === BUILTIN.String) return String(value);
  if (dataType === BUILTIN.DateTime) return (value as Date).toISOString();
  if (dataType === BUILTIN.ByteString) return (value as Buffer).toString('base64');
  if (dataType === BUILTIN.LocalizedText) return (value as { text?: string | null }).text ?? '';
  return String(value); // NodeId, Guid, QualifiedName, StatusCode...: their text form
}

/** A Variant's value as a reading value; `undefined` when it cannot be one. */
export function variantValue(variant: DataValueLike['value']): ReadingValue | undefined {
  if (variant.dataType === BUILTIN.Null) return undefined;
  if (variant.arrayType === SCALAR) return scalar(variant.dataType, variant.value);
  // Arrays and matrices: their JSON text, when it fits
  const items = Array.from((variant.value ?? []) as ArrayLike<unknown>, (v) =>
    scalar(variant.dataType, v),
  );
  return JSON.stringify(items);
}

/** Counters wrap at the width of their OPC UA type (docs/decisions.md "Wire format": rollover handled at the edge). */
export function rolloverOf(tag: OpcuaTagConfig, dataType: number): number | undefined {
  if (!tag.channel.startsWith('count.')) return undefined;
  if (dataType === BUILTIN.UInt16) return 65536;
  if (dataType === BUILTIN.UInt32) return 2 ** 32;
  return undefined;
}

/**
 * One data change of a monitored item as a reading (docs/architecture.md "Conventions" 6): Bad status -> bad with no
 * value; Uncertain keeps the value; numbers get the tag's scale and offset.
 * `problem` is set when a Good value could not be turned into a reading.
 */
export function toReading(
  tag: OpcuaTagConfig,
  dataValue: DataValueLike,
  now: () => number,
): { reading: TagReading; problem?: string } {
  const ts = timestampOf(dataValue, now);
  const quality = qualityOf(dataValue.statusCode.value);
  const bad = (problem?: string) => ({
    reading: { tag: tag.name, value: null, quality: 'bad' as const, ts },
    ...(problem ? { problem } : {}),
  });
  if (quality === 'bad') return bad();
  let value = variantValue(dataValue.value);
  if (value === undefined) return bad('the node has no value');
  if (typeof value === 'number') {
    value = value * tag.scale + tag.offset;
    if (!Number.isFinite(value)) return bad('the value is not a finite number');
  }
  if (typeof value === 'string' && value.length > MAX_STRING_LENGTH) {
    return bad(`the value is longer than ${MAX_STRING_LENGTH} characters`);
  }
  const reading: TagReading = { tag: tag.name, value, quality, ts };
  const rollover = rolloverOf(tag, dataValue.value.dataType);
  if (rollover !== undefined) reading.rollover = rollover;
  return { reading };
}
