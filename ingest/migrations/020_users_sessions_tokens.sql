-- Who may use the API and the boards (issue 9). Secrets are never stored: passwords as
-- scrypt hashes, session and link tokens as SHA-256 of 32 random bytes (a token is
-- unguessable, so a fast hash is enough; a leaked table gives nobody a working token).

CREATE TABLE users (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
  role           text NOT NULL CHECK (role IN ('admin', 'manager', 'maintenance', 'operator')),
  password_hash  text NOT NULL,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- A signed-in user: the cookie (or bearer) token's hash, with an absolute expiry.
CREATE TABLE sessions (
  token_hash    bytea PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Links handed out without an account: kiosk (a wall TV, read-only boards) and customer
-- (read-only, that customer's orders only). Revoked tokens are kept for the audit trail.
CREATE TABLE access_tokens (
  id            bigserial PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('kiosk', 'customer')),
  token_hash    bytea NOT NULL UNIQUE,
  label         text NOT NULL,
  customer      text,
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  CHECK ((kind = 'customer') = (customer IS NOT NULL))
);
