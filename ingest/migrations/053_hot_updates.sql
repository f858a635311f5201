-- Tables every batch updates keep free room in each page (docs/decisions.md "Issue 22 — less
-- work per reading"): PostgreSQL then writes an updated row's new version on the same page and
-- touches no index (a heap-only tuple, HOT update), where a full page sends it to another page
-- with a new entry in every index. None of these updates change an indexed column. Existing
-- pages keep their fill until their rows move; new pages get the room.
ALTER TABLE machine_values SET (fillfactor = 50);
ALTER TABLE machines SET (fillfactor = 50);
ALTER TABLE consumer_progress SET (fillfactor = 50);
ALTER TABLE gateways SET (fillfactor = 50);
