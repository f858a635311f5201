import { inflateRawSync } from 'node:zlib';

/**
 * A zip archive's directory and its entries unzipped under a byte budget, read before an
 * .xlsx reaches exceljs, so that a zip bomb is refused for the cost of the budget, not of
 * what it would unzip to (docs/decisions.md "Issue 18 — imports off the event loop, one
 * CSV writer, errors without internals"). PKWARE APPNOTE.TXT 4.3: the end of central
 * directory record (4.3.16), central directory headers (4.3.12), local file headers (4.3.7).
 */

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated (APPNOTE 4.4.5); nothing else occurs in an .xlsx. */
  method: number;
  compressedSize: number;
  /** As the directory declares it: unzipping checks it, it is not trusted. */
  declaredSize: number;
  localHeaderOffset: number;
}

/** Why an archive is refused: not a zip at all (`format`), or over a limit (`limit`). */
export class ZipRefusal extends Error {
  constructor(
    readonly kind: 'format' | 'limit',
    message: string,
  ) {
    super(message);
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;

/** The central directory's entries. Zip64 archives (over 4 GB or 65,535 entries) are refused. */
export function zipEntries(data: Buffer, maxEntries: number): ZipEntry[] {
  // The record sits at the end, before a comment of at most 65,535 bytes.
  let eocd = -1;
  for (let i = data.length - EOCD_SIZE; i >= Math.max(0, data.length - EOCD_SIZE - 65_535); i--)
    if (data.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new ZipRefusal('format', 'it is not a zip archive');
  const count = data.readUInt16LE(eocd + 10);
  const dirSize = data.readUInt32LE(eocd + 12);
  const dirOffset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff)
    throw new ZipRefusal('limit', 'it is a zip64 archive (over 4 GB or 65,535 files)');
  if (count > maxEntries)
    throw new ZipRefusal('limit', `it holds ${count} files; a workbook has at most ${maxEntries}`);
  if (dirOffset + dirSize > eocd) throw new ZipRefusal('format', 'its zip directory is cut off');
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || data.readUInt32LE(at) !== CENTRAL)
      throw new ZipRefusal('format', 'its zip directory is damaged');
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    entries.push({
      name: data.toString('utf8', at + 46, at + 46 + nameLength),
      method: data.readUInt16LE(at + 10),
      compressedSize: data.readUInt32LE(at + 20),
      declaredSize: data.readUInt32LE(at + 24),
      localHeaderOffset: data.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;

/**
 * Every entry unzipped, `maxBytes` in all at most: checked first against the sizes the
 * directory declares (a bomb is refused before any inflating), then while inflating (a
 * directory that lies is cut off at the budget by zlib's `maxOutputLength`).
 */
export function unzipBounded(
  data: Buffer,
  options: { maxBytes: number; maxEntries: number },
): Map<string, Buffer> {
  const entries = zipEntries(data, options.maxEntries);
  const declared = entries.reduce((sum, e) => sum + e.declaredSize, 0);
  const tooBig = () => new ZipRefusal('limit', `it unzips to more than ${mb(options.maxBytes)}`);
  if (declared > options.maxBytes) throw tooBig();
  const files = new Map<string, Buffer>();
  let budget = options.maxBytes;
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue; // a folder
    const local = entry.localHeaderOffset;
    if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL)
      throw new ZipRefusal('format', `its entry ${entry.name} is damaged`);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const packed = data.subarray(start, start + entry.compressedSize);
    if (packed.length !== entry.compressedSize)
      throw new ZipRefusal('format', `its entry ${entry.name} is cut off`);
    let content: Buffer;
    if (entry.method === 0) content = packed;
    else if (entry.method === 8) {
      try {
        // One byte over the budget is enough to know it is over.
        content = inflateRawSync(packed, { maxOutputLength: budget + 1 });
      } catch (error) {
        if (error instanceof RangeError) throw tooBig();
        throw new ZipRefusal('format', `its entry ${entry.name} does not unzip`);
      }
    } else
      throw new ZipRefusal('format', `its entry ${entry.name} uses zip method ${entry.method}`);
    if (content.length > budget) throw tooBig();
    budget -= content.length;
    files.set(entry.name, content);
  }
  return files;
}
