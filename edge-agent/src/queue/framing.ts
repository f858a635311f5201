import { crc32 } from 'node:zlib';

/** One queued MQTT message: what the publisher sends again until ingest acknowledges `seq`. */
export interface QueuedRecord {
  seq: number;
  topic: string;
  payload: string;
}

/**
 * On-disk frame, little endian: `u32 bodyLength | u32 crc32(body) | body`, where body is
 * `f64 seq | u16 topicLength | topic (UTF-8) | payload (UTF-8)`. A crash (kill -9, power cut)
 * can leave the last frame short or with a bad CRC: reading stops there and says so.
 */
const HEADER_BYTES = 8;
const BODY_FIXED_BYTES = 10;
/** A frame claiming more than this is garbage, not a record (payloads are capped at 1 MB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function encodeRecord(record: QueuedRecord): Buffer {
  const topic = Buffer.from(record.topic, 'utf8');
  const payload = Buffer.from(record.payload, 'utf8');
  const body = Buffer.allocUnsafe(BODY_FIXED_BYTES + topic.length + payload.length);
  body.writeDoubleLE(record.seq, 0);
  body.writeUInt16LE(topic.length, 8);
  topic.copy(body, BODY_FIXED_BYTES);
  payload.copy(body, BODY_FIXED_BYTES + topic.length);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

export interface DecodedSegment {
  records: QueuedRecord[];
  /** Each record's frame offset in the data, and its length. */
  frames: { offset: number; bytes: number }[];
  /** Bytes of whole, valid frames from the start: a torn tail begins here. */
  validBytes: number;
  /** Why reading stopped before the end, if it did. */
  tornReason?: string;
}

/** Every whole frame of a segment, stopping at the first torn or corrupt one. */
export function decodeSegment(data: Buffer): DecodedSegment {
  const records: QueuedRecord[] = [];
  const frames: { offset: number; bytes: number }[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < HEADER_BYTES) {
      return { records, frames, validBytes: offset, tornReason: 'short frame header' };
    }
    const length = data.readUInt32LE(offset);
    if (length < BODY_FIXED_BYTES || length > MAX_BODY_BYTES) {
      return { records, frames, validBytes: offset, tornReason: `bad frame length ${length}` };
    }
    if (data.length - offset - HEADER_BYTES < length) {
      return { records, frames, validBytes: offset, tornReason: 'short frame body' };
    }
    const body = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(body) !== data.readUInt32LE(offset + 4)) {
      return { records, frames, validBytes: offset, tornReason: 'CRC mismatch' };
    }
    const topicLength = body.readUInt16LE(8);
    if (BODY_FIXED_BYTES + topicLength > length) {
      return { records, frames, validBytes: offset, tornReason: 'bad topic length' };
    }
    records.push({
      seq: body.readDoubleLE(0),
      topic: body.toString('utf8', BODY_FIXED_BYTES, BODY_FIXED_BYTES + topicLength),
      payload: body.toString('utf8', BODY_FIXED_BYTES + topicLength),
    });
    frames.push({ offset, bytes: HEADER_BYTES + length });
    offset += HEADER_BYTES + length;
  }
  return { records, frames, validBytes: offset };
}
