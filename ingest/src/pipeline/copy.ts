import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** `COPY ... FROM STDIN` of text already in COPY's text format, on this client. */
export async function copyText(client: ClientBase, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** A value in COPY's text format. */
export const copyValue = (s: string) => s.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!);
