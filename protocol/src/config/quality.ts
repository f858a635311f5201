import { z } from 'zod';
import { idSchema } from '../ids';

/** The control charts (ingest/src/domain/spc/): variables X̄–R, X̄–S, I–MR; attributes p, np, c, u. */
export const CHART_KINDS = ['xbar-r', 'xbar-s', 'i-mr', 'p', 'np', 'c', 'u'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];
/** Charts of attribute data: a subgroup is a count of defectives or defects (and the inspected count). */
export const ATTRIBUTE_CHARTS: readonly ChartKind[] = ['p', 'np', 'c', 'u'];

/** Western Electric rules 1–4 and Nelson rules 5–8 (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"). */
export const SPC_RULES = [
  'we1',
  'we2',
  'we3',
  'we4',
  'nelson5',
  'nelson6',
  'nelson7',
  'nelson8',
] as const;
export type SpcRuleId = (typeof SPC_RULES)[number];

/** When an inspection is due; several may be given (the first to come due counts). */
export const inspectionFrequencySchema = z
  .strictObject({
    everyPieces: z.number().int().positive().optional(),
    everyMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional(),
    firstAfterChangeover: z.boolean().optional(),
  })
  .refine(
    (f) => f.everyPieces !== undefined || f.everyMinutes !== undefined || f.firstAfterChangeover,
    'give everyPieces, everyMinutes or firstAfterChangeover',
  );
export type InspectionFrequency = z.output<typeof inspectionFrequencySchema>;

/** One characteristic of an inspection plan (docs/config-reference.md "quality"). */
export const characteristicSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(128),
  unit: z.string().max(32).optional(),
  nominal: z.number().optional(),
  /** Lower and upper specification limits, lsl < usl; both required for variable charts. */
  lsl: z.number().optional(),
  usl: z.number().optional(),
  chart: z.enum(CHART_KINDS),
  /**
   * Values per subgroup: 2–10 for xbar-r, more than 10 for xbar-s, 1 for i-mr; for attribute
   * charts the lot size inspected (optional: a measurement then gives its own `n`).
   */
  subgroupSize: z.number().int().positive().max(1000).optional(),
  rules: z.array(z.enum(SPC_RULES)).default(['we1', 'we2', 'we3', 'we4']),
  /** The inspection plan: which product, operation (id in its routing) and machine. */
  product: idSchema.optional(),
  operation: idSchema.optional(),
  machine: idSchema.optional(),
  frequency: inspectionFrequencySchema.optional(),
  /** A machine tag whose readings are this characteristic's values (a gauge through a gateway). */
  gauge: z.strictObject({ machine: idSchema, tag: idSchema }).optional(),
  /** An overdue inspection opens an alert of kind `spc` (alerts.rules naming this characteristic). */
  overdueAlert: z.boolean().default(false),
});
export type CharacteristicConfig = z.output<typeof characteristicSchema>;

export const qualityConfigSchema = z.strictObject({
  characteristics: z.array(characteristicSchema).default([]),
});
export type QualityConfig = z.output<typeof qualityConfigSchema>;

/** The subgroup size a chart works with, or the reason it does not fit. */
export function subgroupSizeProblem(c: {
  chart: ChartKind;
  subgroupSize?: number | undefined;
}): string | null {
  const n = c.subgroupSize;
  switch (c.chart) {
    case 'xbar-r':
      return n !== undefined && n >= 2 && n <= 10 ? null : 'xbar-r needs a subgroupSize of 2-10';
    case 'xbar-s':
      return n !== undefined && n > 10 ? null : 'xbar-s needs a subgroupSize of more than 10';
    case 'i-mr':
      return n === undefined || n === 1 ? null : 'i-mr takes single values (subgroupSize 1)';
    default:
      return null;
  }
}

/** The values a subgroup of this characteristic holds (attribute charts: one count). */
export function valuesPerSubgroup(c: { chart: ChartKind; subgroupSize?: number | undefined }) {
  if (ATTRIBUTE_CHARTS.includes(c.chart)) return 1;
  return c.subgroupSize ?? 1;
}

export interface QualityProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What the plant model's `quality:` gets wrong against the rest of the plant: limits, subgroup
 * sizes, and the product, operation, machine and gauge it names.
 */
export function qualityProblems(
  quality: QualityConfig,
  plant: {
    products: { id: string; routing?: { id: string; machine: string }[] | undefined }[];
    machines: ReadonlySet<string>;
  },
): QualityProblem[] {
  const problems: QualityProblem[] = [];
  const ids = new Set<string>();
  const gauges = new Map<string, string>();
  quality.characteristics.forEach((c, i) => {
    const at = (...rest: (string | number)[]) => ['characteristics', i, ...rest];
    if (ids.has(c.id))
      problems.push({ path: at('id'), message: `characteristic "${c.id}" is declared twice` });
    ids.add(c.id);
    if (c.lsl !== undefined && c.usl !== undefined && !(c.lsl < c.usl))
      problems.push({ path: at('lsl'), message: 'lsl must be less than usl' });
    if (!ATTRIBUTE_CHARTS.includes(c.chart) && (c.lsl === undefined || c.usl === undefined))
      problems.push({ path: at('lsl'), message: `${c.chart} needs both lsl and usl` });
    const size = subgroupSizeProblem(c);
    if (size) problems.push({ path: at('subgroupSize'), message: size });
    const product = c.product ? plant.products.find((p) => p.id === c.product) : undefined;
    if (c.product && !product)
      problems.push({ path: at('product'), message: `unknown product "${c.product}"` });
    if (c.operation && !c.product)
      problems.push({
        path: at('operation'),
        message: 'an operation needs the product whose routing has it',
      });
    if (c.operation && product?.routing && !product.routing.some((o) => o.id === c.operation))
      problems.push({
        path: at('operation'),
        message: `product "${product.id}" has no operation "${c.operation}" in its routing`,
      });
    if (c.machine && !plant.machines.has(c.machine))
      problems.push({ path: at('machine'), message: `unknown machine "${c.machine}"` });
    if (c.gauge) {
      if (!plant.machines.has(c.gauge.machine))
        problems.push({
          path: at('gauge', 'machine'),
          message: `unknown machine "${c.gauge.machine}"`,
        });
      if (ATTRIBUTE_CHARTS.includes(c.chart))
        problems.push({
          path: at('gauge'),
          message: 'a gauge measures values: use it with xbar-r, xbar-s or i-mr',
        });
      const key = `${c.gauge.machine}/${c.gauge.tag}`;
      const other = gauges.get(key);
      if (other)
        problems.push({
          path: at('gauge'),
          message: `tag ${key} is the gauge of "${other}" already`,
        });
      gauges.set(key, c.id);
    }
  });
  return problems;
}
