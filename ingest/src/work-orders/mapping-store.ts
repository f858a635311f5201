import type { ImportMapping, ImportMappingBody } from '@takt/protocol';
import type { Pool } from 'pg';
import { BUILT_IN_MAPPINGS, builtInMappings } from './mappings';

type Db = Pick<Pool, 'query'>;

/** A mapping by name: a built-in one, else one saved (table import_mappings); undefined if none. */
export async function findMapping(db: Db, name: string): Promise<ImportMappingBody | undefined> {
  const builtIn = BUILT_IN_MAPPINGS[name];
  if (builtIn) return builtIn;
  const { rows } = await db.query<{ definition: ImportMappingBody }>(
    'SELECT definition FROM import_mappings WHERE name = $1',
    [name],
  );
  return rows[0]?.definition;
}

/** Every mapping: the built-in ones, then the saved ones by name. */
export async function listMappings(db: Db): Promise<ImportMapping[]> {
  const { rows } = await db.query<{ name: string; definition: ImportMappingBody }>(
    'SELECT name, definition FROM import_mappings ORDER BY name',
  );
  return [
    ...builtInMappings(),
    ...rows.map((r) => ({ name: r.name, builtIn: false, ...r.definition })),
  ];
}

export async function saveMapping(
  db: Db,
  name: string,
  mapping: ImportMappingBody,
  by: string | null,
): Promise<void> {
  await db.query(
    `INSERT INTO import_mappings (name, definition, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [name, JSON.stringify(mapping), by],
  );
}

/** true when a saved mapping of that name was deleted. */
export async function deleteMapping(db: Db, name: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM import_mappings WHERE name = $1', [name]);
  return (rowCount ?? 0) > 0;
}
