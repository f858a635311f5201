-- Alerts (issue 7): the rules in force, one row per alert with its life cycle, the history
-- of every change, and every delivery attempt to a channel (never lost silently).

CREATE TABLE alert_rules (
  id          text PRIMARY KEY,
  definition  jsonb NOT NULL,                     -- the rule as validated (protocol/src/config/alerts.ts)
  source      text NOT NULL DEFAULT 'plant',      -- plant (the YAML) | api (an admin's edit)
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

CREATE TABLE alerts (
  id               bigserial PRIMARY KEY,
  rule_id          text NOT NULL,
  subject          text NOT NULL,                 -- machine, gateway or work order
  severity         text NOT NULL,                 -- info | warning | critical
  status           text NOT NULL,                 -- open | acknowledged | cleared
  opened_at        timestamptz NOT NULL,
  value            double precision,
  message          text NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  ack_comment      text,
  cleared_at       timestamptz,
  cleared_by       text,                          -- condition | window-ended | rule-removed | a person
  escalated_at     timestamptz,
  delivery_failed  boolean NOT NULL DEFAULT false
);
-- One alert per rule and subject until it clears.
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule_id, subject) WHERE status <> 'cleared';
CREATE INDEX alerts_status_opened ON alerts (status, opened_at DESC);

CREATE TABLE alert_events (
  id        bigserial PRIMARY KEY,
  alert_id  bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  time      timestamptz NOT NULL,
  kind      text NOT NULL,                        -- opened | acknowledged | escalated | cleared | delivery-failed
  actor     text,
  detail    jsonb
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, time);
CREATE INDEX alert_events_time ON alert_events (time);

CREATE TABLE alert_deliveries (
  id            bigserial PRIMARY KEY,
  alert_id      bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  event         text NOT NULL,                    -- opened | escalated | cleared
  channel_id    text NOT NULL,
  status        text NOT NULL,                    -- pending | delivered | failed
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);
CREATE INDEX alert_deliveries_channel ON alert_deliveries (channel_id, created_at DESC);

-- Which version of the plant model's rules was last applied: a changed YAML replaces the
-- rules; an unchanged one leaves an admin's API edits in force.
CREATE TABLE alert_rules_source (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  plant_hash  text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
