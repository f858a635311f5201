import type { Pool } from 'pg';
import type { Principal, Role } from './access';
import { hashPassword, hashToken, newToken, tokenKind } from './secrets';

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

interface DbUser {
  id: string;
  name: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
}

const toUser = (r: DbUser): UserRow => ({
  id: Number(r.id),
  name: r.name,
  role: r.role,
  disabled: r.disabled_at !== null,
  createdAt: r.created_at.toISOString(),
});

export async function createUser(
  pool: Pool,
  name: string,
  role: Role,
  password: string,
): Promise<UserRow | undefined> {
  const { rows } = await pool.query<DbUser>(
    `INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO NOTHING RETURNING *`,
    [name, role, await hashPassword(password)],
  );
  return rows[0] && toUser(rows[0]);
}

/** Sets a new password (and ends the user's sessions): for resets and the demo admin. */
export async function setPassword(pool: Pool, name: string, password: string): Promise<boolean> {
  const { rows } = await pool.query<{ id: string }>(
    'UPDATE users SET password_hash = $2 WHERE name = $1 RETURNING id',
    [name, await hashPassword(password)],
  );
  if (!rows[0]) return false;
  await pool.query('DELETE FROM sessions WHERE user_id = $1', [rows[0].id]);
  return true;
}

export async function findUserForLogin(pool: Pool, name: string): Promise<DbUser | undefined> {
  const { rows } = await pool.query<DbUser>(
    'SELECT * FROM users WHERE name = $1 AND disabled_at IS NULL',
    [name],
  );
  return rows[0];
}

export async function listUsers(pool: Pool): Promise<UserRow[]> {
  const { rows } = await pool.query<DbUser>('SELECT * FROM users ORDER BY name');
  return rows.map(toUser);
}

/** Role or disabled flag; disabling ends the user's sessions at once. */
export async function updateUser(
  pool: Pool,
  name: string,
  change: { role?: Role | undefined; disabled?: boolean | undefined },
): Promise<UserRow | undefined> {
  const { rows } = await pool.query<DbUser>(
    `UPDATE users SET role = coalesce($2, role),
        disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at
                           WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END
      WHERE name = $1 RETURNING *`,
    [name, change.role ?? null, change.disabled ?? null],
  );
  const row = rows[0];
  if (row && row.disabled_at !== null)
    await pool.query('DELETE FROM sessions WHERE user_id = $1', [row.id]);
  return row && toUser(row);
}

export async function countAdmins(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL",
  );
  return Number(rows[0]!.n);
}

export async function createSession(
  pool: Pool,
  userId: number,
  ttlMs: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken('session');
  const expiresAt = new Date(Date.now() + ttlMs);
  await pool.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
    hashToken(token),
    userId,
    expiresAt,
  ]);
  // Expired sessions are dropped as new ones come: the table stays small without a timer.
  await pool.query('DELETE FROM sessions WHERE expires_at < now()');
  return { token, expiresAt };
}

export async function endSession(pool: Pool, sessionHash: Buffer): Promise<void> {
  await pool.query('DELETE FROM sessions WHERE token_hash = $1', [sessionHash]);
}

export type LinkKind = 'kiosk' | 'customer' | 'station';

export interface LinkToken {
  id: number;
  kind: LinkKind;
  label: string;
  customer: string | null;
  station: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface DbToken {
  id: string;
  kind: LinkKind;
  label: string;
  customer: string | null;
  station: string | null;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const toToken = (r: DbToken): LinkToken => ({
  id: Number(r.id),
  kind: r.kind,
  label: r.label,
  customer: r.customer,
  station: r.station,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
  lastUsedAt: iso(r.last_used_at),
});

/** A kiosk, customer or station link: the token is returned this once; only its hash is kept. */
export async function createLinkToken(
  pool: Pool,
  t: {
    kind: LinkKind;
    label: string;
    customer?: string | undefined;
    station?: string | undefined;
    createdBy: string | null;
    expiresAt?: Date | undefined;
  },
): Promise<{ token: string; record: LinkToken }> {
  const token = newToken(t.kind);
  const { rows } = await pool.query<DbToken>(
    `INSERT INTO access_tokens (kind, token_hash, label, customer, station, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      t.kind,
      hashToken(token),
      t.label,
      t.customer ?? null,
      t.station ?? null,
      t.createdBy,
      t.expiresAt ?? null,
    ],
  );
  return { token, record: toToken(rows[0]!) };
}

export async function listLinkTokens(pool: Pool, kind: LinkKind): Promise<LinkToken[]> {
  const { rows } = await pool.query<DbToken>(
    'SELECT * FROM access_tokens WHERE kind = $1 ORDER BY id',
    [kind],
  );
  return rows.map(toToken);
}

export async function revokeLinkToken(
  pool: Pool,
  kind: LinkKind,
  id: number,
): Promise<LinkToken | undefined> {
  const { rows } = await pool.query<DbToken>(
    `UPDATE access_tokens SET revoked_at = coalesce(revoked_at, now())
      WHERE id = $1 AND kind = $2 RETURNING *`,
    [id, kind],
  );
  return rows[0] && toToken(rows[0]);
}

/** Revokes every live token of that kind and label (the demo's board link, renewed per run). */
export async function revokeByLabel(pool: Pool, kind: LinkKind, label: string): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE access_tokens SET revoked_at = now() WHERE kind = $1 AND label = $2 AND revoked_at IS NULL`,
    [kind, label],
  );
  return rowCount ?? 0;
}

/** last_seen/last_used are written at most this often per token: not a write per request. */
const TOUCH_EVERY = '1 minute';

/**
 * Touches in flight, per table and token: a board's twenty parallel requests that all find the
 * token stale write it once instead of queueing twenty updates on its row lock (the plant
 * bench saw them wait; docs/decisions.md "Issue 22 — the plant bench").
 */
const touching = new Map<string, Promise<unknown>>();

async function touchOnce(key: string, write: () => Promise<unknown>): Promise<void> {
  let pending = touching.get(key);
  if (!pending) {
    pending = write().finally(() => touching.delete(key));
    touching.set(key, pending);
  }
  await pending;
}

/** Who holds this token, if it is valid now (not expired, not revoked, user not disabled). */
export async function principalOf(pool: Pool, token: string): Promise<Principal | undefined> {
  const kind = tokenKind(token);
  if (!kind) return undefined;
  const hash = hashToken(token);
  if (kind === 'session') {
    const { rows } = await pool.query<{ id: string; name: string; role: Role; stale: boolean }>(
      `SELECT u.id, u.name, u.role, s.last_seen_at < now() - interval '${TOUCH_EVERY}' AS stale
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [hash],
    );
    const u = rows[0];
    if (!u) return undefined;
    if (u.stale)
      await touchOnce(`session:${hash}`, () =>
        pool.query('UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1', [hash]),
      );
    return { kind: 'user', userId: Number(u.id), name: u.name, role: u.role, sessionHash: hash };
  }
  const { rows } = await pool.query<DbToken & { stale: boolean }>(
    `SELECT *, coalesce(last_used_at < now() - interval '${TOUCH_EVERY}', true) AS stale
       FROM access_tokens
      WHERE token_hash = $1 AND kind = $2 AND revoked_at IS NULL
        AND (expires_at IS NULL OR expires_at > now())`,
    [hash, kind],
  );
  const t = rows[0];
  if (!t) return undefined;
  if (t.stale)
    await touchOnce(`token:${t.id}`, () =>
      pool.query('UPDATE access_tokens SET last_used_at = now() WHERE id = $1', [t.id]),
    );
  if (t.kind === 'station')
    return { kind: 'station', tokenId: Number(t.id), label: t.label, station: t.station! };
  return t.kind === 'kiosk'
    ? { kind: 'kiosk', tokenId: Number(t.id), label: t.label }
    : { kind: 'customer', tokenId: Number(t.id), label: t.label, customer: t.customer! };
}
