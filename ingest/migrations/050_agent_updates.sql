-- Issue 25 (docs/decisions.md "Issue 25 — signed agent updates (server)"): agent packages
-- uploaded by an admin, the updates pushed to gateways and every step a gateway reported.
-- The rows are the audit trail: who uploaded which package, who pushed it to which gateway
-- and when, and what the gateway answered at each step.
CREATE TABLE agent_packages (
  sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  version      text NOT NULL,
  arch         text NOT NULL CHECK (arch IN ('arm64', 'armv7', 'x64')),
  size         bigint NOT NULL CHECK (size > 0),
  signature    text NOT NULL,
  data         bytea NOT NULL,
  uploaded_by  text,
  uploaded_at  timestamptz NOT NULL DEFAULT now()
);
-- A gzip archive does not compress again; EXTERNAL keeps it out of line uncompressed, so the
-- download reads it in slices (substring) instead of the whole value at once.
ALTER TABLE agent_packages ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE gateway_updates (
  id                bigserial PRIMARY KEY,
  gateway_id        text NOT NULL,
  site              text NOT NULL,
  package_sha256    text NOT NULL REFERENCES agent_packages (sha256),
  version           text NOT NULL,
  token_hash        bytea NOT NULL,
  confirm_within_s  integer NOT NULL CHECK (confirm_within_s BETWEEN 30 AND 3600),
  status            text NOT NULL DEFAULT 'sent'
                      CHECK (status IN ('sent', 'running', 'online', 'rolled-back', 'refused', 'superseded')),
  requested_by      text,
  requested_at      timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX gateway_updates_gateway ON gateway_updates (gateway_id, id DESC);
CREATE UNIQUE INDEX gateway_updates_token ON gateway_updates (token_hash);

CREATE TABLE gateway_update_steps (
  id             bigserial PRIMARY KEY,
  update_id      bigint NOT NULL REFERENCES gateway_updates (id),
  step           text NOT NULL
                   CHECK (step IN ('received', 'downloaded', 'verified', 'staged', 'installing',
                                   'online', 'rolled-back', 'refused')),
  ok             boolean NOT NULL,
  error          text,
  agent_version  text,
  sent_at        timestamptz,   -- the gateway's ts
  at             timestamptz NOT NULL DEFAULT now()
);
-- One row per step of an update: a step delivered twice (QoS 1) is stored once.
CREATE UNIQUE INDEX gateway_update_steps_once ON gateway_update_steps (update_id, step);

-- The architecture a gateway's status reports (edge-agent/src/health.ts agentArch).
ALTER TABLE gateways ADD COLUMN arch text;
