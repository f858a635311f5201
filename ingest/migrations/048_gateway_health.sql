-- Issue 25 (docs/decisions.md "Issue 25 — gateway health"): the latest health a gateway's
-- status reports, next to its status, version and devices (GET /api/gateways).
ALTER TABLE gateways
  ADD COLUMN config_version    text,          -- edge-agent/src/health.ts configVersion
  ADD COLUMN queue_depth       bigint,        -- messages on its disk waiting for ingest's ack
  ADD COLUMN queue_oldest_at   timestamptz,   -- when the oldest of them was stamped
  ADD COLUMN queue_lost        bigint;        -- dropped by its overflow policy, ever
