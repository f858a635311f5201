import { compilePatterns, matchCode, type CompiledPattern, type ScanPattern } from '@takt/protocol';
import type { ScanFields } from '../types';

// The code matching itself is protocol's (protocol/src/scan-codes.ts): a station's browser
// sends its codes through ingest, which must read them exactly as a gateway's scanner does.
export { UNKNOWN_FIELDS, compilePatterns, matchCode, type CompiledPattern } from '@takt/protocol';

/**
 * Pure parsing of scanner lines: bytes in, a scan or a verdict out. No I/O and no clock of
 * its own (the caller passes the time), so every rule is unit-tested without a port.
 */

export interface ScanRules {
  prefix: string;
  suffix: string;
  /** Longest code kept, in UTF-16 units (what the wire schema's `max` counts). */
  maxLength: number;
  patterns: readonly CompiledPattern[];
}

export type GarbageReason = 'too-long' | 'invalid-utf8' | 'control-character' | 'unterminated';

export type LineResult =
  | { kind: 'scan'; code: string; pattern: string | undefined; fields: ScanFields }
  | { kind: 'empty' }
  | { kind: 'garbage'; reason: GarbageReason };

// fatal: invalid UTF-8 throws instead of becoming U+FFFD, so noise is told from a code.
const utf8 = new TextDecoder('utf-8', { fatal: true });

// C0 controls, DEL and C1 controls: no barcode a station scans carries them once the
// prefix/suffix are stripped; they come from line noise or a wrong baud rate.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Scanners emit CR/LF as their suffix and the line splitter consumes them, so a configured
 * affix such as "#\r\n" can only ever be seen as "#".
 */
export function scanRules(config: {
  prefix: string;
  suffix: string;
  maxLength: number;
  patterns: readonly ScanPattern[];
}): ScanRules {
  return {
    prefix: config.prefix.replace(/[\r\n]/g, ''),
    suffix: config.suffix.replace(/[\r\n]/g, ''),
    maxLength: config.maxLength,
    patterns: compilePatterns(config.patterns),
  };
}

/** Bytes a raw line may hold before it is garbage for sure (UTF-8 is at most 4 per unit). */
export function maxLineBytes(rules: ScanRules): number {
  const affixes = Buffer.byteLength(rules.prefix) + Buffer.byteLength(rules.suffix);
  return rules.maxLength * 4 + affixes + 64; // + 64: surrounding whitespace, trimmed later
}

function stripAffixes(text: string, prefix: string, suffix: string): string {
  let code = text.trim();
  if (prefix && code.startsWith(prefix)) code = code.slice(prefix.length);
  if (suffix && code.endsWith(suffix)) code = code.slice(0, code.length - suffix.length);
  return code.trim();
}

/** One line (without its terminator) -> the code it carries, or why it is not one. */
export function parseLine(bytes: Uint8Array, rules: ScanRules): LineResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'garbage', reason: 'invalid-utf8' };
  }
  const code = stripAffixes(text, rules.prefix, rules.suffix);
  if (code === '') return { kind: 'empty' };
  if (code.length > rules.maxLength) return { kind: 'garbage', reason: 'too-long' };
  if (CONTROL.test(code)) return { kind: 'garbage', reason: 'control-character' };
  const { pattern, fields } = matchCode(code, rules.patterns);
  return { kind: 'scan', code, pattern, fields };
}

/**
 * A double trigger, or a label held under a scanner in presentation mode, sends the same
 * code again and again: each repeat within `debounceMs` of the previous sighting is the
 * same scan. The window slides with every sighting, and only the last code counts, so
 * A, B, A is three scans. Times are monotonic milliseconds from the caller.
 */
export class ScanDebouncer {
  private last: { code: string; atMs: number } | undefined;

  constructor(private readonly debounceMs: number) {}

  isRepeat(code: string, nowMs: number): boolean {
    const previous = this.last;
    this.last = { code, atMs: nowMs };
    if (!previous || previous.code !== code) return false;
    const elapsedMs = nowMs - previous.atMs;
    return elapsedMs >= 0 && elapsedMs < this.debounceMs;
  }
}
