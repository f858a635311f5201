import {
  ALERT_EVENTS,
  type AlertRule,
  type AndonRule,
  type DecodedMessage,
  type MessageLang,
  type PlantModel,
} from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import type { AlertSettings } from '../http/types';
import { callAnswered } from '../queries/andon';
import { callMessage } from './andon';
import { Deliverer } from './delivery/deliverer';
import type { AlertNotice } from './delivery/formats';
import { onCallMobiles } from './delivery/roster';
import { AlertEngine, type AlertEffect } from './engine';
import { pollOee, pollWorkOrders } from './polled';
import {
  alertJson,
  clearOrphans,
  loadAlerts,
  storeEffect,
  syncRules,
  type StoredAlert,
} from './store';
import { AlertWatcher } from './stream';
import { alertText, type AlertText } from './text';

/**
 * The alerts at run time: the pure watcher and engine fed by batches and a clock, every
 * decision stored (alerts + alert_events), pushed to screens and delivered to channels.
 * Effects are applied one after another, in the order the engine made them.
 */
export class AlertRuntime {
  readonly watcher: AlertWatcher;
  private readonly ids = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];
  private polling = false;

  private constructor(
    private readonly pool: Pool,
    private readonly io: SocketServer,
    private readonly log: Logger,
    private readonly plant: PlantModel | undefined,
    private readonly settings: AlertSettings,
    readonly deliverer: Deliverer,
    rules: AlertRule[],
  ) {
    const timeZone = plant?.site.timeZone ?? 'UTC';
    this.watcher = new AlertWatcher(new AlertEngine(rules, timeZone), settings.now());
  }

  static async start(
    pool: Pool,
    io: SocketServer,
    log: Logger,
    plant: PlantModel | undefined,
    settings: AlertSettings,
  ): Promise<AlertRuntime> {
    const rules = await syncRules(pool, plant?.alerts.rules ?? []);
    const orphans = await clearOrphans(
      pool,
      rules.filter((r) => r.enabled).map((r) => r.id),
      settings.now(),
    );
    if (orphans > 0) log.info({ alerts: orphans }, 'alerts of rules no longer in force cleared');
    const deliverer = new Deliverer(
      pool,
      plant?.alerts.channels ?? [],
      log.child({ part: 'alerts' }),
      {
        ...settings.delivery,
        env: settings.env,
        now: settings.now,
      },
    );
    const runtime = new AlertRuntime(pool, io, log, plant, settings, deliverer, rules);
    const open = [
      ...(await loadAlerts(pool, { status: 'open' })),
      ...(await loadAlerts(pool, { status: 'acknowledged' })),
    ];
    runtime.watcher.engine.restore(open);
    for (const a of open) runtime.ids.set(a.key, a.id);
    runtime.timers.push(
      // apply never rejects: it logs each effect it could not store (see apply).
      setInterval(() => void runtime.apply(runtime.watcher.tick(settings.now())), settings.tickMs),
      setInterval(() => void runtime.poll(), settings.pollMs),
    );
    for (const rule of rules) warnAboutSecrets(rule, plant, settings.env, log);
    // Notices the last run left queued are sent first, in order (delivery/queue.ts).
    deliverer.start();
    return runtime;
  }

  /** What a batch brought: readings, states, counts (as signs of life) and gateway status. */
  onMessages(messages: readonly DecodedMessage[]): void {
    const effects: AlertEffect[] = [];
    // The no-data rules' clock: when ingest heard the batch, not the times it carries.
    const arrivedAt = this.settings.now();
    for (const m of messages) {
      switch (m.kind) {
        case 'metrics':
          for (const r of m.payload.readings) {
            // A bad-quality reading is no data: the no-data rules see the silence.
            if (r.quality === 'bad') continue;
            this.watcher.sampleInto(effects, m.machineId, r.tag, r.value, r.ts, r.unit, arrivedAt);
          }
          break;
        case 'state':
          effects.push(
            ...this.watcher.state(m.machineId, m.payload.state, m.payload.ts, arrivedAt),
          );
          break;
        case 'count':
          effects.push(...this.watcher.heardFrom(m.machineId, undefined, arrivedAt));
          break;
        case 'status':
          effects.push(
            ...this.watcher.gatewayStatus(m.gatewayId, m.payload.status === 'online', m.payload.ts),
          );
          break;
        default:
          break;
      }
    }
    // Not awaited: a batch does not wait for its alerts; apply logs what it could not store.
    void this.apply(effects);
  }

  /** Work orders and OEE, judged on the clock (queries: not on every batch). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = this.settings.now();
      const effects = await pollWorkOrders(this.pool, this.watcher, now);
      effects.push(
        ...(await pollOee(
          this.pool,
          this.watcher,
          this.plant?.shifts ?? [],
          this.plant?.site.timeZone ?? 'UTC',
          now,
        )),
      );
      await this.apply(effects);
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'alert checks failed');
    } finally {
      this.polling = false;
    }
  }

  /** Store, push and deliver effects, in order. Resolves when they are stored. */
  apply(effects: readonly AlertEffect[]): Promise<void> {
    for (const effect of effects) {
      this.chain = this.chain
        .then(() => this.applyOne(effect))
        .catch((error: Error) =>
          this.log.error({ err: error.message, alert: effect.alert.key }, 'alert not stored'),
        );
    }
    return this.chain;
  }

  /**
   * An andon call (docs/decisions.md "Issue 17 — andon calls"): the rule's alert opens at the
   * station at the call's (edge) time, unless a call of the rule at the station is answered
   * already — open, or cleared at or after that time (queries/andon.ts `callAnswered`), so a
   * replayed scan opens nothing. Resolves once stored.
   */
  async call(
    rule: AndonRule,
    station: string,
    at: number,
    operator?: string,
  ): Promise<'opened' | 'answered'> {
    await this.apply([]); // the engine's decisions so far are in the database
    if (await callAnswered(this.pool, rule.id, station, at)) return 'answered';
    const effects = this.watcher.engine.raise({
      rule: rule.id,
      subject: station,
      at,
      message: callMessage(rule, station, operator),
    });
    await this.apply(effects);
    return effects.length > 0 ? 'opened' : 'answered';
  }

  /** How alert text renders in `lang` (the plant's time zone, its andon labels). */
  text(lang: MessageLang): AlertText {
    const rules = [...(this.plant?.alerts.rules ?? []), ...this.watcher.engine.ruleList];
    return alertText(lang, this.plant?.site.timeZone ?? 'UTC', rules);
  }

  /** The plant's own words an alert of `rule` names (its andon label), for a notice. */
  private labelsOf(rule: string) {
    const key = `andon.label.${rule}`;
    const label = this.text('en').catalog[key];
    return label ? { [key]: label } : {};
  }

  /** An admin's new rules: alerts of rules gone clear. */
  setRules(rules: readonly AlertRule[]): Promise<void> {
    return this.apply(this.watcher.engine.setRules(rules, this.settings.now()));
  }

  idOf(key: string): number | undefined {
    return this.ids.get(key);
  }

  private async applyOne(effect: AlertEffect): Promise<void> {
    const { key } = effect.alert;
    const { id, changed } = await storeEffect(
      this.pool,
      effect,
      this.text('en'),
      this.ids.get(key),
    );
    if (effect.kind === 'cleared') this.ids.delete(key);
    else this.ids.set(key, id);
    // Another ingest instance on this database made this change first: it told everyone.
    if (!changed) return;
    const [stored] = await loadAlerts(this.pool, { id });
    if (!stored) return;
    // One event for every screen: in English, with the key and parameters each screen
    // renders in its own language.
    this.io
      .to('plant')
      .emit(ALERT_EVENTS.update, { event: effect.kind, alert: alertJson(stored, this.text('en')) });
    this.log.info(
      { alert: id, rule: stored.rule, subject: stored.subject, event: effect.kind },
      'alert',
    );
    // Awaited: queued in the order the engine decided, so an alert's notices leave in order.
    if (effect.kind !== 'acknowledged' && effect.notify.length > 0)
      await this.deliverer.deliver(id, effect.notify, this.notice(effect.kind, stored, effect.at));
  }

  private notice(event: AlertNotice['event'], alert: StoredAlert, at: number): AlertNotice {
    const rule = this.watcher.engine.rule(alert.rule);
    return {
      event,
      site: this.plant?.site.name ?? '',
      ruleName: rule?.name ?? alert.rule,
      alert: alertJson(alert, this.text('en')),
      at: new Date(at).toISOString(),
      timeZone: this.plant?.site.timeZone ?? 'UTC',
      labels: this.labelsOf(alert.rule),
      mentions: onCallMobiles(this.plant, rule?.kind, alert.subject),
    };
  }

  async stop(timeoutMs: number): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.chain;
    await this.deliverer.stop(timeoutMs);
  }
}

/** A channel secret missing from the environment is said at start, not at the first alert. */
function warnAboutSecrets(
  rule: AlertRule,
  plant: PlantModel | undefined,
  env: NodeJS.ProcessEnv,
  log: Logger,
) {
  const ids = [...rule.notify, ...(rule.escalate?.notify ?? [])];
  for (const channel of plant?.alerts.channels ?? []) {
    if (!ids.includes(channel.id)) continue;
    const names =
      channel.type === 'email'
        ? [channel.smtp.userEnv, channel.smtp.passwordEnv]
        : [channel.secretEnv, channel.urlEnv];
    for (const name of names)
      if (name && !env[name])
        log.warn(
          { rule: rule.id, channel: channel.id, env: name },
          'alert channel setting missing from the environment',
        );
  }
}
