-- The operator station (docs/decisions.md "Issue 17 — the operator station" and
-- "Issue 17 — station server").

-- Station links: a link token bound to one station (a machine or a listed station).
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_kind_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_kind_check
  CHECK (kind IN ('kiosk', 'customer', 'station'));
ALTER TABLE access_tokens ADD COLUMN station text;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_station_check
  CHECK ((kind = 'station') = (station IS NOT NULL));

-- Operators who sign in at a shared station with a PIN instead of a badge scan. The PIN is
-- kept only as a scrypt hash (protocol/src/passwords.ts).
CREATE TABLE operators (
  badge       text PRIMARY KEY,
  name        text NOT NULL,
  pin_hash    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Who gave a stop its reason, when the answer came from a person (a station, a supervisor).
ALTER TABLE stop_reasons ADD COLUMN given_by text;
ALTER TABLE stop_reasons ADD COLUMN station_id text;

-- A supervisor's correction of a stop's reason: the reason is changed in stop_reasons, and
-- who, when, before and after are kept here.
CREATE TABLE stop_reason_corrections (
  id            bigserial PRIMARY KEY,
  machine_id    text NOT NULL,
  stop_start    timestamptz NOT NULL,
  before        text,
  after         text NOT NULL,
  corrected_by  text NOT NULL,
  corrected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stop_reason_corrections_machine ON stop_reason_corrections (machine_id, corrected_at);
