-- Issue 18 (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust"): every
-- machine and station speaks through one gateway. Declared ones come from the plant model
-- (`gateway:` on a machine); any other is bound to the first gateway whose message for it is
-- stored. The writer sends a message for a machine bound to another gateway to dead letters.
-- `machine_id` is the topic's machine level: a machine or a station (one namespace).
CREATE TABLE machine_gateways (
  machine_id  text PRIMARY KEY,
  gateway_id  text NOT NULL,
  bound_at    timestamptz NOT NULL DEFAULT now(),
  source      text NOT NULL CHECK (source IN ('declared', 'first-seen'))
);

-- A database that ran before this keeps what it saw: each machine's last gateway, then each
-- station's last MQTT gateway (station browsers, `web:<device>`, are never bound).
INSERT INTO machine_gateways (machine_id, gateway_id, source)
SELECT id, gateway_id, 'first-seen' FROM machines WHERE gateway_id IS NOT NULL;

INSERT INTO machine_gateways (machine_id, gateway_id, source)
SELECT DISTINCT ON (station_id) station_id, gateway_id, 'first-seen'
  FROM scans
 WHERE gateway_id NOT LIKE 'web:%'
 ORDER BY station_id, time DESC
ON CONFLICT (machine_id) DO NOTHING;
