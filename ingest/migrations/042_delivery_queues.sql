-- A durable queue per channel (docs/decisions.md "Issue 19 — deliveries people can rely on"):
-- every notice, an alert's or another (shift reports, summaries), is a row of
-- alert_deliveries sent in id order per ordering key, under the channel's rate limit.
ALTER TABLE alert_deliveries ALTER COLUMN alert_id DROP NOT NULL;
ALTER TABLE alert_deliveries
  ADD COLUMN ordering_key    text,
  ADD COLUMN title           text,                -- one line of a digest
  ADD COLUMN mentions        text[] NOT NULL DEFAULT '{}',
  ADD COLUMN payload         jsonb,               -- what is sent, built for the channel at enqueue
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN rate_limited    integer NOT NULL DEFAULT 0,
  ADD COLUMN digest_id       bigint;              -- the row whose message carried this one
CREATE INDEX alert_deliveries_pending ON alert_deliveries (channel_id, id) WHERE status = 'pending';
CREATE INDEX alert_deliveries_sent ON alert_deliveries (channel_id, finished_at) WHERE status = 'delivered';

-- What a responder sees of a channel: ok | rate-limited | failing | broken.
CREATE TABLE delivery_channels (
  channel_id    text PRIMARY KEY,
  status        text NOT NULL,
  last_error    text,
  blocked_until timestamptz,
  updated_at    timestamptz NOT NULL
);
