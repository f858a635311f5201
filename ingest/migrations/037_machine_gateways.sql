-- Issue 18 (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust"): every
-- machine and station speaks through one gateway. Declared ones come from the plant model
-- (`gateway:` / `stationGateway:` on a machine); any other is bound to the first gateway whose
-- message for it is stored. The writer sends a message for a machine or station bound to
-- another gateway to dead letters. `machine_id` is the topic's machine level; `role` says
-- whether the binding is of the machine's data (metrics, state, count) or of the scans of the
-- station of that id (its scanner may hang on another gateway than its PLC).
CREATE TABLE machine_gateways (
  machine_id  text NOT NULL,
  role        text NOT NULL CHECK (role IN ('machine', 'station')),
  gateway_id  text NOT NULL,
  bound_at    timestamptz NOT NULL DEFAULT now(),
  source      text NOT NULL CHECK (source IN ('declared', 'first-seen')),
  PRIMARY KEY (machine_id, role)
);

-- A database that ran before this keeps what it saw: each machine's last gateway, and each
-- station's last MQTT gateway (station browsers, `web:<device>`, are never bound).
INSERT INTO machine_gateways (machine_id, role, gateway_id, source)
SELECT id, 'machine', gateway_id, 'first-seen' FROM machines WHERE gateway_id IS NOT NULL;

INSERT INTO machine_gateways (machine_id, role, gateway_id, source)
SELECT DISTINCT ON (station_id) station_id, 'station', gateway_id, 'first-seen'
  FROM scans
 WHERE gateway_id NOT LIKE 'web:%'
 ORDER BY station_id, time DESC;
