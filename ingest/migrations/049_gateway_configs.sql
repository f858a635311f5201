-- Issue 25 (docs/decisions.md "Issue 25 — remote configuration"): every config pushed to a
-- gateway, one row a version; the row is the audit trail (who pushed it, when, and what the
-- gateway answered and when).
CREATE TABLE gateway_configs (
  id          bigserial PRIMARY KEY,
  gateway_id  text NOT NULL,
  version     integer NOT NULL CHECK (version > 0),
  yaml        text NOT NULL,
  sha256      text NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'applied', 'refused', 'superseded')),
  error       text,
  result_at   timestamptz,
  UNIQUE (gateway_id, version)
);
