/**
 * Report images behind a signed, expiring URL (docs/decisions.md "Issue 19 — reports that come
 * to people"): DingTalk, Slack and Teams show an image by URL and fetch it without a Takt
 * credential, so the URL itself is the credential — `GET /api/reports/images/<id>.png?exp=
 * <epoch ms>&sig=<base64url HMAC-SHA256(key, "<id>.<exp>")>` under TAKT_PUBLIC_URL, the key
 * made once and kept in the database (migration 043).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';

export const IMAGE_PATH = '/api/reports/images';

/** The signing key, made on first use and kept across restarts. */
export async function urlKey(pool: Pool): Promise<Buffer> {
  await pool.query(
    'INSERT INTO report_url_key (one, key) VALUES (true, $1) ON CONFLICT (one) DO NOTHING',
    [randomBytes(32)],
  );
  const { rows } = await pool.query<{ key: Buffer }>('SELECT key FROM report_url_key');
  return rows[0]!.key;
}

export function signature(key: Buffer, id: string, exp: number): string {
  return createHmac('sha256', key).update(`${id}.${exp}`).digest('base64url');
}

/** Is this id, expiry and signature one Takt made, and not expired at `now`? */
export function validSignature(
  key: Buffer,
  id: string,
  exp: number,
  sig: string,
  now: number,
): boolean {
  if (!Number.isSafeInteger(exp) || exp <= now) return false;
  const want = Buffer.from(signature(key, id, exp));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Stores a PNG until `expiresAt` and gives its id; expired images are removed on the way. */
export async function storeImage(pool: Pool, png: Buffer, expiresAt: number): Promise<string> {
  await pool.query('DELETE FROM report_images WHERE expires_at < now()');
  const id = randomBytes(16).toString('base64url');
  await pool.query('INSERT INTO report_images (id, png, expires_at) VALUES ($1, $2, $3)', [
    id,
    png,
    new Date(expiresAt),
  ]);
  return id;
}

export async function loadImage(pool: Pool, id: string): Promise<Buffer | undefined> {
  const { rows } = await pool.query<{ png: Buffer }>(
    'SELECT png FROM report_images WHERE id = $1 AND expires_at > now()',
    [id],
  );
  return rows[0]?.png;
}

/** The image's public URL, or undefined without TAKT_PUBLIC_URL (then no URL is sent). */
export function imageUrl(
  publicUrl: string | undefined,
  key: Buffer,
  id: string,
  exp: number,
): string | undefined {
  if (!publicUrl) return undefined;
  const url = new URL(`${IMAGE_PATH}/${id}.png`, publicUrl);
  url.searchParams.set('exp', String(exp));
  url.searchParams.set('sig', signature(key, id, exp));
  return url.toString();
}
