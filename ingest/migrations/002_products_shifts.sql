-- The production model's first tables: products with ideal cycle times, the machine's
-- product and microstop threshold, and the site's shift calendar (as declared in the plant
-- model; the definition is the validated YAML object).

CREATE TABLE products (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  ideal_cycle_ms  double precision NOT NULL CHECK (ideal_cycle_ms > 0)
);

CREATE TABLE product_machine_cycles (
  product_id      text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  machine_id      text NOT NULL,
  ideal_cycle_ms  double precision NOT NULL CHECK (ideal_cycle_ms > 0),
  PRIMARY KEY (product_id, machine_id)
);

ALTER TABLE machines
  ADD COLUMN product_id text REFERENCES products (id),
  ADD COLUMN microstop_threshold_ms integer NOT NULL DEFAULT 120000;

CREATE TABLE shifts (
  id          text PRIMARY KEY,
  site_id     text NOT NULL REFERENCES sites (id),
  name        text NOT NULL,
  definition  jsonb NOT NULL
);
