import type { api, ApiResponse } from '@takt/protocol/api';
import { useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import type { MessageKey } from '../i18n/translate';
import { apiFetch } from '../lib/credentials';
import { plantDateTime } from '../lib/plant-time';
import { usePlant } from '../plant/PlantContext';
import { TEST_IDS } from '../testids';
import { plantPickerInstant, plantPickerValue } from './due-picker';

type OrderView = ApiResponse<typeof api.orders.get>;
type OrderHistory = ApiResponse<typeof api.orders.history>;

/** The editable fields as the form shows them. */
function formOf(view: OrderView, timeZone: string) {
  return {
    quantity: String(view.quantity),
    dueAt: plantPickerValue(view.dueAt, timeZone),
    priority: String(view.priority),
    customer: view.customer ?? '',
  };
}
type Form = ReturnType<typeof formOf>;
const sameForm = (a: Form, b: Form) =>
  (Object.keys(a) as (keyof Form)[]).every((k) => a[k] === b[k]);

/**
 * The order page's changes (docs/decisions.md, "Issue 20 — order changes and their trail"):
 * edit, hold / resume, cancel and split, each sent to its route; a refusal shows the
 * server's reason in the screen's language. `onChanged` reloads the page's data.
 */
export function OrderChanges({ view, onChanged }: { view: OrderView; onChanged: () => void }) {
  const { t, lang } = useT();
  const { timeZone } = usePlant();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const current = formOf(view, timeZone);
  const [form, setForm] = useState(current);
  // The order changed (here or on another screen, live): fields not being edited follow it.
  const [base, setBase] = useState(current);
  if (!sameForm(base, current)) {
    setBase(current);
    setForm((f) => {
      const next = { ...f };
      for (const k of Object.keys(f) as (keyof Form)[]) if (f[k] === base[k]) next[k] = current[k];
      return next;
    });
  }
  const [reason, setReason] = useState('');
  const [split, setSplit] = useState({ quantity: '', newId: '' });
  const at = (iso: string) => plantDateTime(Date.parse(iso), timeZone);

  const send = async (method: string, path: string, body?: unknown) => {
    const response = await apiFetch(
      `/api/work-orders/${encodeURIComponent(view.id)}${path}?lang=${lang}`,
      {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      },
    );
    const answer = (await response.json().catch(() => ({}))) as {
      message?: string;
      changes?: unknown[];
      newId?: string;
    };
    if (!response.ok) {
      setNotice({
        ok: false,
        text: t('oc.refused', { reason: answer.message ?? `HTTP ${response.status}` }),
      });
      return;
    }
    setNotice({
      ok: true,
      text: answer.newId
        ? t('oc.splitDone', { id: answer.newId })
        : answer.changes?.length
          ? t('oc.done')
          : t('oc.nothing'),
    });
    onChanged();
  };

  const edit = async (event: FormEvent) => {
    event.preventDefault();
    const patch: Record<string, unknown> = {};
    if (Number(form.quantity) !== view.quantity) patch.quantity = Number(form.quantity);
    if (form.dueAt !== current.dueAt) {
      const dueAt = form.dueAt === '' ? null : plantPickerInstant(form.dueAt, timeZone);
      if (dueAt === null && form.dueAt !== '')
        return setNotice({ ok: false, text: t('oc.refused', { reason: form.dueAt }) });
      patch.dueAt = dueAt;
    }
    if (Number(form.priority) !== view.priority) patch.priority = Number(form.priority);
    if (form.customer !== (view.customer ?? ''))
      patch.customer = form.customer === '' ? null : form.customer;
    if (Object.keys(patch).length === 0) return setNotice({ ok: true, text: t('oc.nothing') });
    await send('PATCH', '', patch);
  };

  const field = (key: keyof typeof form, label: MessageKey, type = 'text', note?: string) => (
    <label>
      {t(label)}
      <input
        name={key}
        type={type}
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      />
      {note ? <small>{note}</small> : null}
    </label>
  );

  const closed = view.status === 'cancelled' || view.status === 'completed';
  return (
    <section className="panel panel--wide" data-testid={TEST_IDS.woChanges}>
      <h3>{t('oc.title')}</h3>
      {view.held ? (
        <p className="flag">
          {t('oc.heldBy', {
            time: at(view.held.at),
            by: view.held.by ?? '',
            reason: view.held.reason ?? '',
          })}
        </p>
      ) : null}
      {view.cancelled ? (
        <p className="flag">
          {t('oc.cancelledBy', {
            time: at(view.cancelled.at),
            by: view.cancelled.by ?? '',
            reason: view.cancelled.reason ?? '',
          })}
        </p>
      ) : null}
      {notice ? (
        <p data-testid={TEST_IDS.woChangeNotice} data-ok={notice.ok} role="status">
          {notice.text}
        </p>
      ) : null}
      {closed ? null : (
        <>
          <form onSubmit={(e) => void edit(e)} data-testid={TEST_IDS.woChangeForm}>
            {field('quantity', 'oc.quantity', 'number')}
            {/* The plant's wall clock, whatever the browser's zone. */}
            {field('dueAt', 'oc.due', 'datetime-local', timeZone)}
            {field('priority', 'oc.priority', 'number')}
            {field('customer', 'oc.customer')}
            <button type="submit">{t('oc.save')}</button>
          </form>
          <form onSubmit={(e) => e.preventDefault()}>
            <label>
              {t('oc.reason')}
              <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            {view.held ? (
              <button type="button" name="resume" onClick={() => void send('POST', '/resume')}>
                {t('oc.resume')}
              </button>
            ) : (
              <button
                type="button"
                name="hold"
                onClick={() => void send('POST', '/hold', { reason })}
              >
                {t('oc.hold')}
              </button>
            )}
            <button
              type="button"
              name="cancel"
              onClick={() => void send('POST', '/cancel', { reason })}
            >
              {t('oc.cancel')}
            </button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void send('POST', '/split', {
                quantity: Number(split.quantity),
                ...(split.newId ? { newId: split.newId } : {}),
              });
            }}
          >
            <label>
              {t('oc.splitQuantity')}
              <input
                name="splitQuantity"
                type="number"
                value={split.quantity}
                onChange={(e) => setSplit({ ...split, quantity: e.target.value })}
              />
            </label>
            <label>
              {t('oc.splitId')}
              <input
                name="splitId"
                value={split.newId}
                onChange={(e) => setSplit({ ...split, newId: e.target.value })}
              />
            </label>
            <button type="submit">{t('oc.split')}</button>
          </form>
        </>
      )}
    </section>
  );
}

const shown = (value: unknown): string =>
  value === null || value === undefined
    ? '—'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/** The order's changes: when, what, who, each field before → after; newest first. */
export function OrderChangeHistory({ history }: { history: OrderHistory }) {
  const { t } = useT();
  const { timeZone } = usePlant();
  const changes = history.events.filter((e) => e.kind === 'changed');
  return (
    <section className="panel panel--wide">
      <h3>{t('oc.history')}</h3>
      {changes.length === 0 ? (
        <p>{t('oc.none')}</p>
      ) : (
        <table className="report" data-testid={TEST_IDS.woChangeHistory}>
          <thead>
            <tr>
              <th>{t('wo.time')}</th>
              <th>{t('oc.change')}</th>
              <th>{t('oc.who')}</th>
              <th>{t('oc.beforeAfter')}</th>
              <th>{t('oc.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c, i) => {
              const fields = Object.keys({ ...c.before, ...c.after });
              return (
                <tr key={`${c.time}-${i}`} data-change={c.change ?? ''} data-from={c.from ?? ''}>
                  <td>{plantDateTime(Date.parse(c.time), timeZone)}</td>
                  <td>{t(`oc.kind.${c.change ?? 'edit'}` as MessageKey)}</td>
                  <td>{c.by ?? ''}</td>
                  <td>
                    {fields
                      .map((f) => `${f}: ${shown(c.before?.[f])} → ${shown(c.after?.[f])}`)
                      .join('; ')}
                  </td>
                  <td>{typeof c.detail?.reason === 'string' ? c.detail.reason : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
