-- Post-commit consumers (issue 16, docs/decisions.md "Issue 16 — consumers").

-- One row per batch the pipeline committed with series data, written in the batch's own
-- transaction: the machines and stations it touched and the earliest edge time in it. A
-- consumer that did not finish a commit (ingest stopped or crashed after COMMIT) redoes its
-- work from these rows at the next start. Pruned once every consumer is past them.
-- `instance` is the ingest instance (its MQTT client id): instances that split a plant by
-- subtree each catch up their own commits.
CREATE TABLE batch_commits (
  id            bigserial PRIMARY KEY,
  instance      text NOT NULL,
  committed_at  timestamptz NOT NULL DEFAULT now(),
  machines      text[] NOT NULL,
  from_time     timestamptz NOT NULL
);

CREATE INDEX batch_commits_instance ON batch_commits (instance, id);

-- Per durable consumer and instance, the last batch_commits row whose work it finished.
CREATE TABLE consumer_progress (
  consumer    text NOT NULL,
  instance    text NOT NULL,
  commit_id   bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, instance)
);
