-- Takt schema v1: the walking skeleton's tables. Applied in order at start by
-- src/db/migrate.ts inside one transaction per file. Never edit an applied migration:
-- add the next numbered file.

CREATE TABLE sites (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  time_zone   text NOT NULL DEFAULT 'UTC'
);

CREATE TABLE lines (
  id          text PRIMARY KEY,
  site_id     text NOT NULL REFERENCES sites (id),
  name        text NOT NULL
);

CREATE TABLE gateways (
  id            text PRIMARY KEY,
  site_id       text NOT NULL,
  status        text NOT NULL DEFAULT 'unknown',   -- online | offline | unknown
  status_at     timestamptz,
  version       text,
  devices       jsonb,
  last_seen_at  timestamptz
);

-- One row per machine with its latest state and counter totals, so that a board's
-- snapshot is one indexed read, not a scan of the time series.
CREATE TABLE machines (
  id              text PRIMARY KEY,
  site_id         text,
  line_id         text REFERENCES lines (id),
  name            text NOT NULL,
  gateway_id      text,
  state           text NOT NULL DEFAULT 'unknown',
  state_reason    text,
  state_code      integer,
  state_since     timestamptz,
  state_at        timestamptz,
  good_total      bigint,      -- last absolute counter values from the PLC
  reject_total    bigint,
  counts_at       timestamptz,
  last_seen_at    timestamptz
);

-- Dedupe on (gateway, seq): QoS 1 redelivery and replay never double-count.
CREATE TABLE received_messages (
  gateway_id   text NOT NULL,
  seq          bigint NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (gateway_id, seq)
);

CREATE TABLE samples (
  time        timestamptz NOT NULL,
  machine_id  text NOT NULL,
  tag         text NOT NULL,
  value       double precision,      -- numbers and booleans (1/0)
  value_text  text,                  -- strings
  quality     smallint NOT NULL      -- 0 good, 1 uncertain, 2 bad
);
CREATE INDEX samples_machine_tag_time ON samples (machine_id, tag, time DESC);

-- Latest value per (machine, tag): the tiles' numbers.
CREATE TABLE machine_values (
  machine_id  text NOT NULL,
  tag         text NOT NULL,
  time        timestamptz NOT NULL,
  value       double precision,
  value_text  text,
  value_kind  text NOT NULL,         -- number | boolean | string | null
  quality     smallint NOT NULL,
  unit        text,
  PRIMARY KEY (machine_id, tag)
);

-- State changes as reported (intervals are derived from consecutive rows).
CREATE TABLE machine_states (
  time        timestamptz NOT NULL,
  machine_id  text NOT NULL,
  state       text NOT NULL,
  code        integer,
  reason      text,
  gateway_id  text NOT NULL,
  seq         bigint NOT NULL
);
CREATE INDEX machine_states_machine_time ON machine_states (machine_id, time DESC);

-- Piece counts: the PLC's absolute totals and the deltas ingest derived from them.
CREATE TABLE counts (
  time          timestamptz NOT NULL,
  machine_id    text NOT NULL,
  good_total    bigint NOT NULL,
  reject_total  bigint NOT NULL,
  good          bigint NOT NULL,
  reject        bigint NOT NULL,
  counter_reset boolean NOT NULL DEFAULT false
);
CREATE INDEX counts_machine_time ON counts (machine_id, time DESC);

CREATE TABLE scans (
  time        timestamptz NOT NULL,
  station_id  text NOT NULL,
  gateway_id  text NOT NULL,
  code        text NOT NULL,
  work_order  text,
  operation   text,
  action      text,
  reason      text,
  operator    text
);
CREATE INDEX scans_station_time ON scans (station_id, time DESC);

-- Rejected payloads, kept with the reason, so that nothing is lost silently.
CREATE TABLE dead_letters (
  id           bigserial PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  topic        text NOT NULL,
  payload      bytea NOT NULL,
  reason       text NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at DESC);
