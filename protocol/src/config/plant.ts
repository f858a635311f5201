import { z } from 'zod';
import { productRoutingSchema } from './routing';
import { idSchema } from '../ids';
import { alertRuleProblems, alertsConfigSchema } from './alerts';
import { reportChannelProblems, reportsConfigSchema } from './reports';
import { orderSettingsSchema } from './order-webhooks';
import { scanPatternSchema } from './devices/serial-scanner';
import { qualityConfigSchema, qualityProblems } from './quality';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24 h)');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A shift of the plant's calendar, in the site's time zone; `end` before `start` crosses midnight. */
export const shiftSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(64),
  start: clockTime,
  end: clockTime,
  /** Days the shift starts on. */
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1)
    .default([...WEEKDAYS]),
  /** Planned stops inside the shift (breaks), same clock; not planned busy time. */
  breaks: z.array(z.strictObject({ start: clockTime, end: clockTime })).default([]),
});
export type ShiftConfig = z.output<typeof shiftSchema>;

export const productSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(128),
  /** Ideal (nameplate) cycle time per piece, ms. */
  idealCycleMs: z.number().positive(),
  /** Per-machine ideal cycle time where it differs. */
  machines: z.record(idSchema, z.number().positive()).default({}),
  /** The default routing of an imported order that names none (config/routing.ts). */
  routing: productRoutingSchema.optional(),
});
export type ProductConfig = z.output<typeof productSchema>;

/** Targets a board or an alert compares with; a machine's override its line's, a line's the plant's. */
export const targetsSchema = z.strictObject({
  oee: z.number().min(0).max(1).optional(),
  availability: z.number().min(0).max(1).optional(),
  performance: z.number().min(0).max(1).optional(),
  quality: z.number().min(0).max(1).optional(),
  /** Good pieces per planned hour. */
  outputPerHour: z.number().positive().optional(),
});
export type Targets = z.output<typeof targetsSchema>;

/**
 * The mode a machine should be in (docs/production-model.md "Mode and state"), apart from the state it is in.
 * `no_shift` and `break` come from the calendar, `production` / `no_order` from work orders, the others
 * from mode cards scanned at the station.
 */
export const MACHINE_MODES = [
  'production',
  'changeover',
  'cleaning',
  'planned_maintenance',
  'no_order',
  'no_shift',
  'break',
] as const;
export type MachineMode = (typeof MACHINE_MODES)[number];
/** Modes a plant may declare planned stops (not planned busy time); `no_shift` always is. */
const PLANNABLE_MODES = ['changeover', 'cleaning', 'planned_maintenance', 'no_order'] as const;

/** A downtime reason; `children` refine it (mechanical → spindle). `loss` sorts it into the six big losses. */
export interface ReasonNode {
  id: string;
  name: string;
  loss?: 'breakdown' | 'setup' | undefined;
  children?: ReasonNode[] | undefined;
}
/** Every reason id of a tree, depth first. */
export function reasonIds(nodes: readonly ReasonNode[]): string[] {
  return nodes.flatMap((n) => [n.id, ...reasonIds(n.children ?? [])]);
}

export const reasonNodeSchema: z.ZodType<ReasonNode> = z
  .strictObject({
    id: idSchema,
    name: z.string().min(1).max(128),
    loss: z.enum(['breakdown', 'setup']).optional(),
    get children() {
      return z.array(reasonNodeSchema).optional();
    },
  })
  .meta({ id: 'ReasonNode' }); // named, so docs/openapi.yaml can refer to itself (recursion)

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/**
 * How ingest derives the state of a machine whose PLC has no state code: from a signal
 * against a limit, or from count activity. Declare it only where the gateway sends no state.
 */
export const stateRuleSchema = z
  .strictObject({
    signal: z
      .strictObject({
        /** A numeric tag of the machine, e.g. spindle_speed. */
        tag: idSchema,
        /** Above this the machine runs; at or below it, it is idle. */
        runningAbove: z.number(),
        /** Running, but below this: reduced speed. */
        reducedBelow: z.number().optional(),
      })
      .optional(),
    counts: z
      .strictObject({
        /** Idle when no piece came for this long. */
        idleAfterS: z.number().positive().max(3600),
      })
      .optional(),
  })
  .refine(
    (r) => (r.signal === undefined) !== (r.counts === undefined),
    'give exactly one of signal or counts',
  );
export type StateRule = z.output<typeof stateRuleSchema>;

const machineSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(128),
  /** The product the machine makes when no work order says otherwise (for OEE). */
  product: idSchema.optional(),
  /** Stops shorter than this stay run time (a performance loss), longer ones are down time. */
  microstopThresholdS: z.number().min(0).max(3600).default(120),
  /** Its mode is `no_order` whenever no work-order operation runs on it (else `production`). */
  orderDriven: z.boolean().default(false),
  /** Derive its state in ingest (no PLC state code): from a signal or from count activity. */
  stateFrom: stateRuleSchema.optional(),
  targets: targetsSchema.optional(),
  /**
   * The gateway that speaks for this machine (its metrics, state and counts, and the scans of
   * the station of the same id): ingest sends any other gateway's messages for it to dead
   * letters. Absent, the first gateway whose message for it is stored claims it
   * (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust").
   */
  gateway: idSchema.optional(),
  /** The gateway of the scanner at this machine's station, where it is not `gateway`. */
  stationGateway: idSchema.optional(),
});

/**
 * Operator stations (docs/work-orders.md "Stations in the browser"). Every machine is a station
 * of itself; `list` adds stations that are not machines (an assembly bench with a scanner).
 */
export const stationsConfigSchema = z.strictObject({
  /** Ask the station why its machine stopped once a stop is this long (default: the machine's microstop threshold). */
  promptAfterS: z
    .number()
    .min(0)
    .max(24 * 3600)
    .optional(),
  /** What a scanned code means (first match wins); default protocol/src/scan-codes.ts STANDARD_STATION_CODES. */
  codes: z.array(scanPatternSchema).min(1).optional(),
  list: z
    .array(
      z.strictObject({
        id: idSchema,
        name: z.string().min(1).max(128),
        /** The machine whose stops the station explains, if any. */
        machine: idSchema.optional(),
        line: idSchema.optional(),
      }),
    )
    .default([]),
});
export type StationsConfig = z.output<typeof stationsConfigSchema>;

/**
 * The plant model (docs/decisions.md "Storage (ingest/)"): version-controlled YAML loaded by ingest at start:
 * site, lines, machines, products with ideal cycle times, and the shift calendar. Reason
 * codes, targets and alert rules join it with the rest of the production model.
 * Without shifts every hour is planned time.
 */
export const plantModelSchema = z
  .strictObject({
    site: z.strictObject({
      id: idSchema,
      name: z.string().min(1).max(128),
      /** IANA time zone of the plant: the day boundary for counts. */
      timeZone: z.string().min(1).default('UTC'),
    }),
    lines: z
      .array(
        z.strictObject({
          id: idSchema,
          name: z.string().min(1).max(128),
          machines: z.array(machineSchema).min(1),
          targets: targetsSchema.optional(),
        }),
      )
      .min(1),
    products: z.array(productSchema).default([]),
    shifts: z.array(shiftSchema).default([]),
    /** Days without shifts (public holidays, plant shutdown), in the site's calendar. */
    holidays: z.array(isoDate).default([]),
    modes: z
      .strictObject({
        /** Modes whose time is a planned stop: out of planned busy time, not an availability loss. */
        planned: z
          .array(z.enum(PLANNABLE_MODES))
          .default(['cleaning', 'planned_maintenance', 'no_order']),
        /** Rejects within this long after a changeover count as startup rejects (six big losses). */
        startupMinutes: z
          .number()
          .min(0)
          .max(24 * 60)
          .default(15),
      })
      .default({ planned: ['cleaning', 'planned_maintenance', 'no_order'], startupMinutes: 15 }),
    reasons: z
      .strictObject({
        /** Downtime reason-code tree: what PLC codes, reason cards and the API may name. */
        downtime: z.array(reasonNodeSchema).default([]),
        reject: z
          .array(z.strictObject({ id: idSchema, name: z.string().min(1).max(128) }))
          .default([]),
        /** How long after a stop began a reason may still be given to it. */
        assignWithinHours: z
          .number()
          .positive()
          .max(31 * 24)
          .default(24),
      })
      .default({ downtime: [], reject: [], assignWithinHours: 24 }),
    targets: targetsSchema.default({}),
    /** Alert rules and the channels they notify (protocol/src/config/alerts.ts). */
    alerts: alertsConfigSchema.default({ rules: [], channels: [] }),
    /** Reports pushed to the alert channels (protocol/src/config/reports.ts). */
    reports: reportsConfigSchema.optional(),
    /** Order status webhooks (protocol/src/config/order-webhooks.ts). */
    orders: orderSettingsSchema.default({ statusWebhooks: [] }),
    stations: stationsConfigSchema.optional(),
    /** Inspection plans: characteristics, their limits and gauges (protocol/src/config/quality.ts). */
    quality: qualityConfigSchema.default({ characteristics: [] }),
  })
  .superRefine((plant, ctx) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: plant.site.timeZone });
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['site', 'timeZone'],
        message: `unknown time zone "${plant.site.timeZone}"`,
      });
    }
    const products = new Set(plant.products.map((p) => p.id));
    plant.lines.forEach((line, li) =>
      line.machines.forEach((machine, mi) => {
        if (machine.product && !products.has(machine.product)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', li, 'machines', mi, 'product'],
            message: `unknown product "${machine.product}" (declare it under products)`,
          });
        }
      }),
    );
    const reasonIds = new Set<string>();
    const walk = (nodes: readonly ReasonNode[], path: (string | number)[]) =>
      nodes.forEach((node, i) => {
        if (reasonIds.has(node.id))
          ctx.addIssue({
            code: 'custom',
            path: [...path, i, 'id'],
            message: `reason "${node.id}" is declared twice`,
          });
        reasonIds.add(node.id);
        walk(node.children ?? [], [...path, i, 'children']);
      });
    walk(plant.reasons.downtime, ['reasons', 'downtime']);
    const seen = new Set<string>();
    plant.lines.forEach((line, li) =>
      line.machines.forEach((machine, mi) => {
        if (seen.has(machine.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', li, 'machines', mi, 'id'],
            message: `machine "${machine.id}" is declared twice`,
          });
        }
        seen.add(machine.id);
      }),
    );
    stationProblems(plant, seen, ctx);
    const channels = new Set(plant.alerts.channels.map((c) => c.id));
    const stations = new Set([...seen, ...(plant.stations?.list ?? []).map((s) => s.id)]);
    for (const problem of alertRuleProblems(plant.alerts.rules, channels, seen, stations))
      ctx.addIssue({
        code: 'custom',
        path: ['alerts', 'rules', ...problem.path],
        message: problem.message,
      });
    for (const problem of qualityProblems(plant.quality, {
      products: plant.products,
      machines: seen,
    }))
      ctx.addIssue({
        code: 'custom',
        path: ['quality', ...problem.path],
        message: problem.message,
      });
    const characteristics = new Set(plant.quality.characteristics.map((c) => c.id));
    plant.alerts.rules.forEach((rule, i) =>
      (rule.kind === 'spc' ? (rule.characteristics ?? []) : []).forEach((c, j) => {
        if (!characteristics.has(c))
          ctx.addIssue({
            code: 'custom',
            path: ['alerts', 'rules', i, 'characteristics', j],
            message: `unknown characteristic "${c}" (declare it under quality.characteristics)`,
          });
      }),
    );
    for (const problem of reportChannelProblems(plant.reports, channels))
      ctx.addIssue({
        code: 'custom',
        path: ['reports', ...problem.path],
        message: problem.message,
      });
  });
export type PlantModel = z.output<typeof plantModelSchema>;

/** A listed station names a new id, and a machine and line the plant has. */
function stationProblems(
  plant: { lines: { id: string }[]; stations?: StationsConfig | undefined },
  machines: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): void {
  const lines = new Set(plant.lines.map((l) => l.id));
  const ids = new Set(machines);
  plant.stations?.list.forEach((station, i) => {
    const path = ['stations', 'list', i];
    if (ids.has(station.id))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'id'],
        message: `station "${station.id}" is declared twice (every machine is a station already)`,
      });
    ids.add(station.id);
    if (station.machine !== undefined && !machines.has(station.machine))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'machine'],
        message: `unknown machine "${station.machine}"`,
      });
    if (station.line !== undefined && !lines.has(station.line))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'line'],
        message: `unknown line "${station.line}"`,
      });
  });
}
export type Weekday = (typeof WEEKDAYS)[number];
