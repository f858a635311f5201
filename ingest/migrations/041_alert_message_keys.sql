-- Alerts in the reader's language (docs/decisions.md "Issue 19 — alerts in the reader's
-- language"): an alert says a message, a key and its parameters (protocol/src/messages/),
-- rendered where it is read. `message` keeps the English rendering in the plant's time zone
-- for SQL readers and the CSV export; rows stored before keep their sentence as the
-- rendering of a `legacy.text` message.
ALTER TABLE alerts ADD COLUMN message_key text, ADD COLUMN message_params jsonb;
UPDATE alerts SET message_key = 'legacy.text', message_params = jsonb_build_object('text', message);
ALTER TABLE alerts ALTER COLUMN message_key SET NOT NULL,
                   ALTER COLUMN message_params SET NOT NULL,
                   ALTER COLUMN message_key SET DEFAULT 'legacy.text',
                   ALTER COLUMN message_params SET DEFAULT '{}'::jsonb;
