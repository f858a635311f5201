import { word, type AlertRule, type MachineState, type Message } from '@takt/protocol';
import {
  belowTargetSignal,
  formatValue,
  numericValue,
  rateSignal,
  thresholdSignal,
} from './conditions';
import type { AlertEffect, AlertEngine } from './engine';

type RuleOf<K extends AlertRule['kind']> = Extract<AlertRule, { kind: K }>;

/** One reading of a tag, as stored. */
export interface SampleInput {
  machine: string;
  tag: string;
  value: unknown;
  ts: number;
  unit?: string | undefined;
  /**
   * When ingest heard it, on ingest's clock (the no-data rules' clock); live data arrives at
   * about its own time, so it defaults to `ts`.
   */
  arrivedAt?: number | undefined;
}

/** OEE figures of one machine over the rule's window (fractions). */
export interface OeeFigures {
  oee: number | null;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  plannedMs: number;
}

/**
 * Turns what arrives (readings, states, gateway status, polled figures) into signals for the
 * engine, per rule kind. Pure: it keeps the last reading per tag for rates and the last time
 * each machine and tag was heard for the no-data rules; the clock comes in as arguments.
 * Silence is judged by arrival on ingest's clock, not by the readings' own times, so a
 * replay of old data (a gateway's disk queue, the demo's history fill) is not silence
 * (docs/decisions.md "Issues 19/20 — silence judged by arrival; live order changes").
 */
/** Rules looked up by what a message names, so a reading costs the rules about it, not all. */
interface RuleIndex {
  version: number;
  /** `<machine>/<tag>` -> threshold and rate rules. */
  byTag: Map<string, (RuleOf<'threshold'> | RuleOf<'rate'>)[]>;
  noDataByMachine: Map<string, RuleOf<'no-data'>[]>;
  downByMachine: Map<string, RuleOf<'machine-down'>[]>;
  byKind: Map<AlertRule['kind'], AlertRule[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class AlertWatcher {
  private last = new Map<string, { value: number; ts: number }>();
  private heard = new Map<string, number>();
  private keys = new Map<string, Map<string, string>>();
  private index: RuleIndex | undefined;

  constructor(
    readonly engine: AlertEngine,
    /** Machines never heard count as silent from here (ingest's start). */
    private readonly startedAt: number,
  ) {}

  private lookup(): RuleIndex {
    if (this.index?.version === this.engine.version) return this.index;
    const index: RuleIndex = {
      version: this.engine.version,
      byTag: new Map(),
      noDataByMachine: new Map(),
      downByMachine: new Map(),
      byKind: new Map(),
    };
    for (const rule of this.engine.ruleList) {
      push(index.byKind, rule.kind, rule);
      if (rule.kind === 'threshold' || rule.kind === 'rate')
        for (const m of rule.machines) push(index.byTag, `${m}/${rule.tag}`, rule);
      if (rule.kind === 'no-data')
        for (const m of rule.machines) push(index.noDataByMachine, m, rule);
      if (rule.kind === 'machine-down')
        for (const m of rule.machines) push(index.downByMachine, m, rule);
    }
    this.index = index;
    return index;
  }

  private rules<K extends AlertRule['kind']>(kind: K): RuleOf<K>[] {
    return (this.lookup().byKind.get(kind) ?? []) as RuleOf<K>[];
  }

  samples(samples: readonly SampleInput[]): AlertEffect[] {
    const effects: AlertEffect[] = [];
    for (const s of samples)
      this.sampleInto(effects, s.machine, s.tag, s.value, s.ts, s.unit, s.arrivedAt ?? s.ts);
    return effects;
  }

  sample({ machine, tag, value, ts, unit, arrivedAt = ts }: SampleInput): AlertEffect[] {
    const effects: AlertEffect[] = [];
    this.sampleInto(effects, machine, tag, value, ts, unit, arrivedAt);
    return effects;
  }

  /**
   * `sample` adding its effects to `effects`: a batch's readings go through here one by one,
   * so it makes no object of its own for a reading that changes nothing (docs/decisions.md
   * "Issue 22 — less work per reading").
   */
  sampleInto(
    effects: AlertEffect[],
    machine: string,
    tag: string,
    value: unknown,
    ts: number,
    unit: string | undefined,
    arrivedAt: number,
  ): void {
    const key = this.seriesKey(machine, tag);
    this.heardInto(effects, machine, tag, key, arrivedAt);
    const v = numericValue(value);
    if (v === undefined) return;
    const previous = this.last.get(key);
    if (previous && ts <= previous.ts) return; // stale or replayed: the newer value stands
    const beforeValue = previous?.value ?? 0;
    const beforeTs = previous?.ts ?? 0;
    if (previous) {
      previous.value = v;
      previous.ts = ts;
    } else this.last.set(key, { value: v, ts });
    const rules = this.lookup().byTag.get(key);
    if (rules === undefined || rules.length === 0) return;
    const shown = `${formatValue(v)}${unit ? ` ${unit}` : ''}`;
    for (const rule of rules) {
      if (rule.kind !== 'threshold') continue;
      const limit = (): Message =>
        rule.above !== undefined && rule.below !== undefined
          ? { key: 'alert.limit.outside', params: { low: rule.below, high: rule.above } }
          : rule.above !== undefined
            ? { key: 'alert.limit.above', params: { limit: rule.above } }
            : { key: 'alert.limit.below', params: { limit: rule.below ?? 0 } };
      effects.push(
        ...this.engine.signal({
          rule: rule.id,
          subject: machine,
          signal: thresholdSignal(rule, v),
          at: ts,
          value: v,
          message: () => ({
            key: 'alert.threshold',
            params: { machine, tag, value: shown, limit: { message: limit() } },
          }),
        }),
      );
    }
    if (previous) {
      const perMinute = ((v - beforeValue) / (ts - beforeTs)) * 60_000;
      for (const rule of rules) {
        if (rule.kind !== 'rate') continue;
        effects.push(
          ...this.engine.signal({
            rule: rule.id,
            subject: machine,
            signal: rateSignal(rule, perMinute),
            at: ts,
            value: perMinute,
            message: () => ({
              key: 'alert.rate',
              params: { machine, tag, rate: formatValue(perMinute), limit: rule.perMinute },
            }),
          }),
        );
      }
    }
  }

  /**
   * Any message of a machine (state, count) is data for the no-data rules without a tag.
   * `arrivedAt` is when ingest heard it (ingest's clock), whatever time the message carries.
   */
  heardFrom(machine: string, tag: string | undefined, arrivedAt: number): AlertEffect[] {
    const effects: AlertEffect[] = [];
    const key = tag === undefined ? undefined : this.seriesKey(machine, tag);
    this.heardInto(effects, machine, tag, key, arrivedAt);
    return effects;
  }

  private heardInto(
    effects: AlertEffect[],
    machine: string,
    tag: string | undefined,
    key: string | undefined,
    arrivedAt: number,
  ): void {
    const heard = this.heard;
    if (arrivedAt > (heard.get(machine) ?? 0)) heard.set(machine, arrivedAt);
    if (key !== undefined && arrivedAt > (heard.get(key) ?? 0)) heard.set(key, arrivedAt);
    const rules = this.lookup().noDataByMachine.get(machine);
    if (rules === undefined) return;
    for (const rule of rules) {
      if (rule.tag !== undefined && rule.tag !== tag) continue;
      effects.push(
        ...this.engine.signal({ rule: rule.id, subject: machine, signal: 'clear', at: arrivedAt }),
      );
    }
  }

  /** `<machine>/<tag>`, made once per series rather than once per reading. */
  private seriesKey(machine: string, tag: string): string {
    let tags = this.keys.get(machine);
    if (!tags) this.keys.set(machine, (tags = new Map()));
    let key = tags.get(tag);
    if (key === undefined) tags.set(tag, (key = `${machine}/${tag}`));
    return key;
  }

  state(machine: string, state: MachineState, ts: number, arrivedAt = ts): AlertEffect[] {
    const effects = this.heardFrom(machine, undefined, arrivedAt);
    for (const rule of this.lookup().downByMachine.get(machine) ?? []) {
      const down = rule.states.includes(state);
      effects.push(
        ...this.engine.signal({
          rule: rule.id,
          subject: machine,
          signal: down ? 'active' : 'clear',
          at: ts,
          message: down
            ? {
                key: 'alert.machine-down',
                params: {
                  machine,
                  state: word(`machine-state.${state}`),
                  duration: { durationS: rule.forMin * 60 },
                },
              }
            : {
                key: 'alert.machine-state',
                params: { machine, state: word(`machine-state.${state}`) },
              },
        }),
      );
    }
    return effects;
  }

  gatewayStatus(gateway: string, online: boolean, ts: number): AlertEffect[] {
    const effects: AlertEffect[] = [];
    for (const rule of this.rules('gateway-offline')) {
      if (rule.gateways && !rule.gateways.includes(gateway)) continue;
      effects.push(
        ...this.engine.signal({
          rule: rule.id,
          subject: gateway,
          signal: online ? 'clear' : 'active',
          at: ts,
          message: {
            key: online ? 'alert.gateway-online' : 'alert.gateway-offline',
            params: { gateway },
          },
        }),
      );
    }
    return effects;
  }

  /** The clock: silent machines and tags, then every duration and escalation. */
  tick(now: number): AlertEffect[] {
    const effects: AlertEffect[] = [];
    for (const rule of this.rules('no-data')) {
      for (const machine of rule.machines) {
        const key = rule.tag === undefined ? machine : `${machine}/${rule.tag}`;
        const last = this.heard.get(key);
        const silentMs = now - (last ?? this.startedAt);
        if (silentMs < rule.forS * 1000) continue;
        const what = rule.tag === undefined ? machine : `${machine} ${rule.tag}`;
        effects.push(
          ...this.engine.signal({
            rule: rule.id,
            subject: machine,
            signal: 'active',
            at: now,
            value: Math.round(silentMs / 1000),
            message: {
              key: 'alert.no-data',
              params: { what, duration: { durationS: Math.round(silentMs / 1000) } },
            },
          }),
        );
      }
    }
    effects.push(...this.engine.tick(now));
    return effects;
  }

  /**
   * OEE figures of a machine over the rule's window. `window` names it (the shift and its
   * day): when it changes, the last window's alert clears ("window ended").
   */
  oee(
    rule: RuleOf<'oee-below'>,
    machine: string,
    window: string,
    figures: OeeFigures | undefined,
    now: number,
  ): AlertEffect[] {
    const value = figures?.[rule.metric] ?? null;
    const judged = figures !== undefined && figures.plannedMs >= rule.minPlannedMin * 60_000;
    const signal =
      value === null
        ? 'clear'
        : judged
          ? belowTargetSignal(value, rule.below, rule.clearMargin)
          : 'neutral';
    return this.engine.signal(
      {
        rule: rule.id,
        subject: machine,
        signal,
        at: now,
        value,
        message: {
          key: 'alert.oee-below',
          params: {
            machine,
            metric: word(`oee-metric.${rule.metric}`),
            value: value === null ? word('alert.value-na') : { percent: value * 100 },
            target: { percent: rule.below * 100 },
          },
        },
      },
      window,
    );
  }
}
