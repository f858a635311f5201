-- Time accounting (issue 15, docs/production-model.md).

-- When a machine's first data (a state, count or sample) was stored: time before it is not
-- monitored, so it is not planned busy time. The writer lowers it as older data arrives.
ALTER TABLE machines ADD COLUMN first_data_at timestamptz;

UPDATE machines m SET first_data_at = least(
  (SELECT min(time) FROM machine_states s WHERE s.machine_id = m.id),
  (SELECT min(time) FROM counts c WHERE c.machine_id = m.id),
  (SELECT min(time) FROM samples x WHERE x.machine_id = m.id));

-- The heartbeat a gateway declared in its status: its states hold three heartbeats.
ALTER TABLE gateways ADD COLUMN heartbeat_ms integer;
