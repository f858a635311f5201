import type { ImportEncoding, Message } from '@takt/protocol';
import iconv from 'iconv-lite';

export type ReadEncoding = Exclude<ImportEncoding, 'auto'>;

export type Decoded =
  { ok: true; text: string; encoding: ReadEncoding } | { ok: false; error: Message };

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The 1-based line of byte `offset` (LF counts lines; CRLF and LF files alike). */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The first byte offset where strict UTF-8 fails, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  try {
    strictUtf8.decode(bytes);
    return -1;
  } catch {
    // find where, sequence by sequence (only for a file that is not UTF-8)
  }
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n =
      b < 0x80
        ? 1
        : b >= 0xc2 && b < 0xe0
          ? 2
          : b >= 0xe0 && b < 0xf0
            ? 3
            : b >= 0xf0 && b < 0xf5
              ? 4
              : 0;
    if (n === 0) return i;
    try {
      strictUtf8.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return 0; // not reached: the whole buffer failed, so one sequence does
}

/**
 * GB18030 (a superset of GBK) read strictly: iconv-lite writes U+FFFD for a sequence it
 * cannot map, so a decoded U+FFFD that the bytes did not spell as UTF-8 means "not GB18030".
 * Returns the line of the first bad sequence, or 0.
 */
function badGb18030Line(text: string): number {
  const at = text.indexOf('\uFFFD');
  return at < 0 ? 0 : text.slice(0, at).split('\n').length;
}

/**
 * A CSV's bytes as text. `auto`: a UTF-8 BOM or bytes that are valid UTF-8 are UTF-8; else
 * bytes that are valid GB18030 (what Chinese Excel saves "CSV" in: GBK, a subset) are
 * GB18030; else the file is refused naming the first line neither reads. A chosen encoding
 * is read strictly as that one. The BOM is dropped.
 */
export function decodeCsv(bytes: Uint8Array, encoding: ImportEncoding): Decoded {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hasBom = buffer.subarray(0, 3).equals(BOM);
  if (encoding === 'utf-8' || (encoding === 'auto' && hasBom)) {
    const body = hasBom ? buffer.subarray(3) : buffer;
    const bad = firstInvalidUtf8(body);
    if (bad < 0) return { ok: true, text: body.toString('utf8'), encoding: 'utf-8' };
    return {
      ok: false,
      error: {
        key: 'import.encoding.invalid',
        params: { encoding: 'UTF-8', line: lineAt(body, bad) },
      },
    };
  }
  if (encoding === 'auto') {
    const bad = firstInvalidUtf8(buffer);
    if (bad < 0) return { ok: true, text: buffer.toString('utf8'), encoding: 'utf-8' };
    const text = iconv.decode(buffer, 'gb18030');
    if (badGb18030Line(text) === 0) return { ok: true, text, encoding: 'gb18030' };
    return {
      ok: false,
      error: { key: 'import.encoding.unknown', params: { line: lineAt(buffer, bad) } },
    };
  }
  const text = iconv.decode(buffer, encoding);
  const line = badGb18030Line(text);
  if (line === 0) return { ok: true, text: text.replace(/^\uFEFF/, ''), encoding };
  return {
    ok: false,
    error: { key: 'import.encoding.invalid', params: { encoding: encoding.toUpperCase(), line } },
  };
}
