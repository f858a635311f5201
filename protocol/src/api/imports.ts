import { z } from 'zod';
import { idSchema } from '../ids';
import { MANAGERS, defineRoute } from './contract';

/**
 * ERP imports: column mappings and the answer of `POST /api/work-orders/import`
 * (docs/work-orders.md "Import", docs/decisions.md "Issue 20 — ERP imports and the watched
 * folder").
 */

/** How an import's bytes are read: `auto` detects UTF-8 (with or without BOM) or GB18030. */
export const IMPORT_ENCODINGS = ['auto', 'utf-8', 'gbk', 'gb18030'] as const;
export const importEncodingSchema = z.enum(IMPORT_ENCODINGS);
export type ImportEncoding = z.infer<typeof importEncodingSchema>;

/** What a mapping can fill: the order's fields (`name` and `plannedStart` are read, not stored). */
export const IMPORT_FIELDS = [
  'id',
  'product',
  'name',
  'quantity',
  'plannedStart',
  'dueAt',
  'customer',
  'priority',
  'routing',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
/** A mapping without a header for one of these is refused (the file's first row names it). */
export const REQUIRED_IMPORT_FIELDS = ['id', 'product', 'quantity'] as const;

const headerNames = z.array(z.string().trim().min(1).max(64)).min(1).max(20);

/**
 * A column mapping: for each field the header names it may have in the file (the first one
 * present wins), the date formats to read (`YYYY-MM-DD`, `YYYY/M/D HH:mm`, `D.M.YYYY`…;
 * none: the usual ERP forms), and the encoding to read a CSV in when the request says none.
 */
export const importMappingBodySchema = z.strictObject({
  fields: z.strictObject({
    id: headerNames,
    product: headerNames,
    name: headerNames.optional(),
    quantity: headerNames,
    plannedStart: headerNames.optional(),
    dueAt: headerNames.optional(),
    customer: headerNames.optional(),
    priority: headerNames.optional(),
    routing: headerNames.optional().describe('cells like OP10@press-01;OP20@assembly-01'),
  }),
  dateFormats: z
    .array(
      z
        .string()
        .max(32)
        .regex(
          /^(?=.*YYYY)(?=.*M)(?=.*D)[YMDHms/.\- :T]+$/,
          'use YYYY, M or MM, D or DD, H or HH, mm, ss and the separators / . - : space T',
        ),
    )
    .max(10)
    .optional(),
  encoding: importEncodingSchema.optional(),
});
export type ImportMappingBody = z.output<typeof importMappingBodySchema>;

export const importMappingSchema = importMappingBodySchema
  .extend({
    name: idSchema,
    builtIn: z.boolean().describe('kingdee, yonyou and takt come with Takt and cannot change'),
  })
  .meta({ id: 'ImportMapping' });
export type ImportMapping = z.output<typeof importMappingSchema>;

/** `true`/`false` in a query string. */
const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

export const importQuerySchema = z.strictObject({
  mapping: idSchema.default('takt').describe('a built-in (kingdee, yonyou, takt) or saved mapping'),
  dryRun: flag.describe('true: answer what would happen, commit nothing'),
  encoding: importEncodingSchema
    .optional()
    .describe("a CSV's encoding; default the mapping's, else auto"),
  validRows: flag.describe('true: a confirm imports the valid rows of a file with refused rows'),
  lang: z
    .string()
    .max(35)
    .optional()
    .describe('the language of the messages (else Accept-Language)'),
});

export const IMPORT_ACTIONS = ['create', 'update', 'unchanged', 'refuse', 'finished'] as const;
export type ImportAction = (typeof IMPORT_ACTIONS)[number];

/** A problem with one cell (or the header, or the whole file: row 1, column null). */
export const importErrorSchema = z.object({
  column: z.string().nullable().describe("the file's header of the column, or the field"),
  code: z.string().describe('the message key (protocol/src/messages/imports.ts)'),
  params: z.record(z.string(), z.unknown()),
  message: z.string().describe('rendered in the language asked'),
});
export type ImportRowError = z.infer<typeof importErrorSchema>;

export const importRowSchema = z.object({
  row: z.number().int().describe("the file's line (CSV) or sheet row; the header is 1"),
  id: z.string().nullable(),
  action: z.enum(IMPORT_ACTIONS),
  changes: z
    .array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() }))
    .optional()
    .describe('update: the fields that change'),
  errors: z.array(importErrorSchema).optional().describe('refuse: why'),
});
export type ImportRow = z.infer<typeof importRowSchema>;

export const importResultSchema = z
  .object({
    dryRun: z.boolean(),
    committed: z
      .boolean()
      .describe('false on a dry run, and on a confirm refused because a row is refused'),
    encoding: z
      .enum(['utf-8', 'gbk', 'gb18030'])
      .nullable()
      .describe('how the CSV was read; null for .xlsx'),
    mapping: z.string(),
    counts: z.object({
      create: z.number().int(),
      update: z.number().int(),
      unchanged: z.number().int(),
      refuse: z.number().int(),
      finished: z.number().int().describe('rows of completed orders: reported, not touched'),
    }),
    rows: z.array(importRowSchema),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.infer<typeof importResultSchema>;

/** `POST /api/work-orders/import` (listed among the order routes). */
export const importRoute = defineRoute({
  method: 'POST',
  path: '/api/work-orders/import',
  access: MANAGERS,
  summary: 'Import an ERP export (CSV or .xlsx) through a column mapping: preview or confirm',
  description:
    'Creates new orders and updates open ones (logged as changes); completed orders are reported, not touched. A confirm of a file with a refused row commits nothing unless validRows=true. See docs/work-orders.md "Import".',
  query: importQuerySchema,
  rawBody: {
    'text/csv': { type: 'string', format: 'binary' },
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
      type: 'string',
      format: 'binary',
    },
  },
  response: importResultSchema,
  responseDescription:
    'what each row does (or would do, on a dry run), with errors per row and column',
  errors: {
    400: 'the query is wrong, no such mapping, or not a readable .xlsx workbook',
    413: 'over a limit (docs/work-orders.md "Import limits"): rows, columns, unzipped size, or the time to read it',
    415: 'neither text/csv nor .xlsx',
    429: 'two imports are being read already',
  },
});

const mappingParams = z.strictObject({ name: idSchema });

export const importMappingRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/import-mappings',
    access: MANAGERS,
    summary: 'Column mappings for imports: the built-in ones, then those saved by name',
    response: z.array(importMappingSchema),
  }),
  put: defineRoute({
    method: 'PUT',
    path: '/api/import-mappings/:name',
    access: MANAGERS,
    summary: 'Save a column mapping by name (creates or replaces it)',
    params: mappingParams,
    body: importMappingBodySchema,
    response: importMappingSchema,
    errors: { 400: 'the mapping is wrong', 409: 'a built-in mapping cannot change' },
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: '/api/import-mappings/:name',
    access: MANAGERS,
    summary: 'Delete a saved column mapping',
    params: mappingParams,
    status: 204,
    response: z.undefined(),
    errors: { 404: 'no such saved mapping', 409: 'a built-in mapping cannot be deleted' },
  }),
};
