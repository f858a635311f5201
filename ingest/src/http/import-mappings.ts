import { api } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import { BUILT_IN_MAPPINGS } from '../work-orders/mappings';
import { deleteMapping, listMappings, saveMapping } from '../work-orders/mapping-store';
import type { IngestPlugin } from './types';

const builtIn = (name: string) =>
  new IngestError(
    'INGEST_ERR_CONFLICT',
    INGEST_ERRORS.INGEST_ERR_CONFLICT(
      `"${name}" is a built-in import mapping; save yours under another name`,
    ),
    409,
  );

/**
 * Column mappings for imports (docs/work-orders.md "Import"): the built-in ERP profiles
 * (work-orders/mappings.ts) and the ones planners save by name (table import_mappings).
 */
export const importMappingsPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/import-mappings', routeOf(api.importMappings.list), async () => listMappings(pool));

  app.put('/api/import-mappings/:name', routeOf(api.importMappings.put), async (request) => {
    const { name } = request.params;
    if (BUILT_IN_MAPPINGS[name]) throw builtIn(name);
    const principal = request.principal;
    await saveMapping(pool, name, request.body, principal?.kind === 'user' ? principal.name : null);
    return { name, builtIn: false, ...request.body };
  });

  app.delete(
    '/api/import-mappings/:name',
    routeOf(api.importMappings.delete),
    async (request, reply) => {
      const { name } = request.params;
      if (BUILT_IN_MAPPINGS[name]) throw builtIn(name);
      if (!(await deleteMapping(pool, name)))
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`import mapping "${name}"`),
          404,
        );
      return reply.code(204).send();
    },
  );
};
