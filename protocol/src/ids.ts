import { z } from 'zod';

/**
 * One topic level (site, gateway, machine, station, tag). MQTT forbids nothing but
 * wildcards inside a level, but ids also end up in URLs, SQL and file names, so they
 * are kept to a safe, readable alphabet.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const idSchema = z
  .string()
  .regex(
    ID_PATTERN,
    'must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit',
  );

export type Id = z.infer<typeof idSchema>;
