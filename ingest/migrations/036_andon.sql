-- Andon calls (docs/decisions.md "Issue 17 — andon calls") are alerts of andon rules about a
-- station. A call asks whether its rule has an alert at its station that answers it, a
-- station shows its calls' latest alerts, and response times read the calls opened in a
-- window: all by (rule, subject), then time. The partial unique index alerts_one_open covers
-- only alerts not cleared.
CREATE INDEX alerts_rule_subject_opened ON alerts (rule_id, subject, opened_at DESC);
