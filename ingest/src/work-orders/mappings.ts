import {
  IMPORT_FIELDS,
  REQUIRED_IMPORT_FIELDS,
  type ImportField,
  type ImportMapping,
  type ImportMappingBody,
  type Message,
} from '@takt/protocol';

/**
 * Column mappings an import reads a file through (docs/work-orders.md "Import"): one entry
 * per built-in ERP profile, like the driver registry (edge-agent/src/drivers/registry.ts);
 * mappings saved by name (table import_mappings) join them at the route.
 */
export const BUILT_IN_MAPPINGS: Readonly<Record<string, ImportMappingBody>> = {
  // Kingdee K/3 Cloud production orders (生产订单) as its list exports them.
  kingdee: {
    fields: {
      id: ['单据编号', '生产订单编号', '生产订单号', '订单编号', 'FBillNo'],
      product: ['物料编码', '产品编码', '物料代码', 'FMaterialId'],
      name: ['物料名称', '产品名称'],
      quantity: ['数量', '计划数量', '生产数量', 'FQty'],
      plannedStart: ['计划开工时间', '计划开工日期', '开工时间', '开工日期'],
      dueAt: ['计划完工时间', '计划完工日期', '完工时间', '完工日期', '交货日期'],
      customer: ['客户', '客户名称'],
      priority: ['优先级'],
      routing: ['工艺路线'],
    },
  },
  // Yonyou U8 production orders (生产订单) as its report exports them.
  yonyou: {
    fields: {
      id: ['生产订单号', '生产订单编号', '订单号', '单据号'],
      product: ['物料编码', '存货编码', '产品编码'],
      name: ['物料名称', '存货名称', '产品名称'],
      quantity: ['生产数量', '数量', '计划数量'],
      plannedStart: ['开工日期', '计划开工日期', '开工时间'],
      dueAt: ['完工日期', '计划完工日期', '完工时间'],
      customer: ['客户', '客户名称', '客户简称'],
      priority: ['优先级'],
      routing: ['工艺路线'],
    },
  },
  // Takt's own columns (docs/work-orders.md), as before mappings.
  takt: {
    fields: {
      id: ['order_id'],
      product: ['product'],
      quantity: ['quantity'],
      dueAt: ['due_date'],
      customer: ['customer'],
      priority: ['priority'],
      routing: ['routing'],
    },
  },
};

export const builtInMappings = (): ImportMapping[] =>
  Object.entries(BUILT_IN_MAPPINGS).map(([name, m]) => ({ name, builtIn: true, ...m }));

/** A field's column in the file: its index and the header as the file writes it. */
export interface Column {
  index: number;
  header: string;
}

const norm = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();

/**
 * The file's header -> the column of each field (the first of the mapping's names present
 * wins; other columns are ignored), or one error per required field the header lacks.
 */
export function resolveColumns(
  header: readonly string[],
  name: string,
  mapping: ImportMappingBody,
): {
  columns: Partial<Record<ImportField, Column>>;
  missing: { field: ImportField; error: Message }[];
} {
  const at = header.map(norm);
  const columns: Partial<Record<ImportField, Column>> = {};
  for (const field of IMPORT_FIELDS) {
    for (const wanted of mapping.fields[field] ?? []) {
      const index = at.indexOf(norm(wanted));
      if (index >= 0) {
        columns[field] = { index, header: header[index]!.trim() };
        break;
      }
    }
  }
  const missing = REQUIRED_IMPORT_FIELDS.filter((f) => !columns[f]).map((field) => ({
    field,
    error: {
      key: 'import.mapping.missing',
      params: { field, mapping: name, headers: (mapping.fields[field] ?? []).join(' / ') },
    },
  }));
  return { columns, missing };
}
