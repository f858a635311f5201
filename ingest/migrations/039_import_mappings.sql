-- Issue 20 (docs/decisions.md "Issue 20 — ERP imports and the watched folder"): column
-- mappings saved by name (the built-in kingdee, yonyou and takt live in code,
-- ingest/src/work-orders/mappings.ts), and the files the watched folder has imported, by
-- content, so that a file put there twice (or under another name) is imported once.

CREATE TABLE import_mappings (
  name        text PRIMARY KEY,
  definition  jsonb NOT NULL,        -- { fields, dateFormats?, encoding? } (protocol ImportMappingBody)
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

CREATE TABLE imported_files (
  sha256       text PRIMARY KEY,     -- of the file's bytes
  file_name    text NOT NULL,
  mapping      text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('done', 'failed')),
  counts       jsonb,
  imported_at  timestamptz NOT NULL DEFAULT now()
);
