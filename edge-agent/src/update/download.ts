import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface DownloadOptions {
  url: string;
  file: string;
  /** The size the command announced: more bytes than this stop the download. */
  size: number;
  tries?: number;
  /** Per try. */
  timeoutMs?: number;
  /** Wait between tries (grows with each try). */
  retryDelayMs?: number;
  onRetry?: (attempt: number, reason: string) => void;
}

export interface Downloaded {
  sha256: string;
  bytes: number;
}

/** A failure another try cannot fix (the server said no, or sent more than announced). */
class Final extends Error {}

/** One streamed GET into `file`, hashed on the way, capped at `size` bytes. */
async function once(opts: DownloadOptions, timeoutMs: number): Promise<Downloaded> {
  const response = await fetch(opts.url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok || !response.body) {
    const text = response.status >= 400 && response.status < 500;
    const reason = `the server answered ${response.status} ${response.statusText}`.trim();
    await response.body?.cancel();
    throw text && response.status !== 408 && response.status !== 429
      ? new Final(reason)
      : new Error(reason);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > opts.size)
        return done(new Final(`the server sent more than the announced ${opts.size} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    cap,
    createWriteStream(opts.file),
  );
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Downloads the package to `file` (streamed, never more than `size` bytes), up to `tries`
 * times; the last try's error is thrown. Size and sha256 are the caller's to judge.
 */
export async function download(opts: DownloadOptions): Promise<Downloaded> {
  const tries = opts.tries ?? 3;
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const delay = opts.retryDelayMs ?? 2000;
  let last = '';
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      return await once(opts, timeoutMs);
    } catch (error) {
      rmSync(opts.file, { force: true });
      const cause = (error as Error & { cause?: Error }).cause;
      last = cause?.message
        ? `${(error as Error).message}: ${cause.message}`
        : (error as Error).message;
      if (error instanceof Final) throw new Error(last);
      if (attempt < tries) {
        opts.onRetry?.(attempt, last);
        await new Promise((r) => setTimeout(r, delay * attempt));
      }
    }
  }
  throw new Error(`the download failed after ${tries} tries: ${last}`);
}
