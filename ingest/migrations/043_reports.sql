-- Issue 19 (docs/decisions.md "Issue 19 — reports that come to people"): reports pushed to
-- the alert channels. One row per report (kind, plant date, shift) and channel, claimed before
-- it is sent: a restart never sends one twice, and the scheduler sends the last one missed
-- while down (ingest/src/reports/scheduler.ts).
CREATE TABLE sent_reports (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('shift', 'daily')),
  site_id      text NOT NULL,
  report_date  date NOT NULL,
  shift_id     text NOT NULL,             -- 'day' for a daily summary
  channel_id   text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  claimed_at   timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz,
  UNIQUE (kind, site_id, report_date, shift_id, channel_id)
);

-- The images the reports link to (DingTalk, Slack and Teams fetch them by URL), served at a
-- signed, expiring URL (GET /api/reports/images/:id.png) and removed when expired.
CREATE TABLE report_images (
  id          text PRIMARY KEY,             -- random, 128 bits, base64url
  png         bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX report_images_expires ON report_images (expires_at);

-- The key the image URLs are signed with: made once, kept across restarts.
CREATE TABLE report_url_key (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  key  bytea NOT NULL
);
