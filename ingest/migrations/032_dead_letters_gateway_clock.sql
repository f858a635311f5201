-- Issue 15, items 6 and 9 (docs/production-model.md "Timestamp horizon"):
-- dead letters say which gateway sent them, so they can be read and counted per gateway
-- (GET /api/dead-letters, /api/health); gateways keep how far off their clock was last seen.

ALTER TABLE dead_letters ADD COLUMN gateway_id text;
-- takt/v1/<site>/<gateway>/…: the gateway level, when it is an id (protocol/src/ids.ts).
UPDATE dead_letters SET gateway_id = split_part(topic, '/', 4)
 WHERE topic LIKE 'takt/v1/%/%/%' AND split_part(topic, '/', 4) ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
CREATE INDEX dead_letters_gateway_received ON dead_letters (gateway_id, received_at DESC);

ALTER TABLE gateways
  ADD COLUMN clock_offset_ms   bigint,        -- gateway clock minus ingest's, from its latest telling message
  ADD COLUMN clock_checked_at  timestamptz;   -- ingest's clock when that message arrived
