import { api, type PromiseAnswer, type PromiseRequest } from '@takt/protocol/api';
import { formatDurationText } from '@takt/protocol/messages';
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { apiFetch } from '../../lib/credentials';
import { plantDateTime } from '../../lib/plant-time';
import { plantPickerInstant } from '../due-picker';

/**
 * The delivery-date calculator (交期模拟计算器): product, quantity, optional wanted-by date on
 * the plant's clock and priority, sent to `POST /api/promise`, which changes nothing. The
 * answer is listed here and handed up to be drawn on the Gantt.
 */
export function Calculator({
  products,
  timeZone,
  answer,
  onAnswer,
}: {
  products: readonly { id: string; name: string }[];
  timeZone: string;
  answer: PromiseAnswer | null;
  onAnswer: (answer: PromiseAnswer | null) => void;
}) {
  const { t, lang } = useT();
  const [form, setForm] = useState({
    product: products[0]?.id ?? '',
    quantity: '100',
    wantedBy: '',
    priority: '0',
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const at = (iso: string) => plantDateTime(Date.parse(iso), timeZone);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body: PromiseRequest = {
      product: form.product,
      quantity: Number(form.quantity),
      priority: Number(form.priority),
    };
    if (form.wantedBy !== '') {
      const wantedBy = plantPickerInstant(form.wantedBy, timeZone);
      if (wantedBy === null) return setError(t('calc.badWanted', { value: form.wantedBy }));
      body.wantedBy = wantedBy;
    }
    setBusy(true);
    try {
      const response = await apiFetch(`${api.planning.promise.path}?lang=${lang}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json().catch(() => ({}))) as { message?: string };
      if (!response.ok) {
        onAnswer(null);
        setError(t('calc.refused', { reason: json.message ?? `HTTP ${response.status}` }));
      } else onAnswer(json as PromiseAnswer);
    } catch (err) {
      setError(t('calc.refused', { reason: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  return (
    <section className="panel plan-calc" data-testid="plan-calculator">
      <h3>{t('calc.title')}</h3>
      <form className="plan-calc__form" noValidate onSubmit={(e) => void submit(e)}>
        <label>
          {t('calc.product')}
          <select name="product" value={form.product} onChange={set('product')}>
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name === p.id ? p.id : `${p.name} (${p.id})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('calc.quantity')}
          <input
            name="quantity"
            type="number"
            min={1}
            step={1}
            value={form.quantity}
            onChange={set('quantity')}
          />
        </label>
        <label>
          {t('calc.wantedBy')}
          <input
            name="wantedBy"
            type="datetime-local"
            value={form.wantedBy}
            onChange={set('wantedBy')}
          />
        </label>
        <label>
          {t('calc.priority')}
          <input
            name="priority"
            type="number"
            step={1}
            value={form.priority}
            onChange={set('priority')}
          />
        </label>
        <div className="plan-calc__buttons">
          <button
            type="submit"
            disabled={busy || form.product === ''}
            data-testid="plan-calc-submit"
          >
            {busy ? t('calc.working') : t('calc.submit')}
          </button>
          {answer ? (
            <button type="button" onClick={() => onAnswer(null)}>
              {t('calc.clear')}
            </button>
          ) : null}
        </div>
      </form>
      {error ? (
        <p className="flag flag--late" data-testid="plan-calc-error">
          {error}
        </p>
      ) : null}
      {answer ? (
        <AnswerView answer={answer} at={at} />
      ) : (
        <p className="panel__note">{t('calc.note')}</p>
      )}
    </section>
  );
}

function AnswerView({ answer, at }: { answer: PromiseAnswer; at: (iso: string) => string }) {
  const { t, lang } = useT();
  return (
    <div
      className="plan-calc__answer"
      data-testid="plan-calc-answer"
      data-promised-at={answer.promisedAt}
      data-delays={JSON.stringify(answer.delays)}
    >
      <dl className="facts">
        <dt>{t('calc.promisedAt')}</dt>
        <dd className="plan-calc__promise" data-testid="plan-calc-promise">
          {at(answer.promisedAt)}
          {answer.meetsWantedBy === null ? null : (
            <span className={answer.meetsWantedBy ? 'plan-calc__meets' : 'flag flag--late'}>
              {' '}
              {answer.meetsWantedBy ? t('calc.meets') : t('calc.misses')}
            </span>
          )}
        </dd>
        <dt>{t('calc.band')}</dt>
        <dd data-testid="plan-calc-band">
          {at(answer.p10)} – {at(answer.p90)}
        </dd>
        <dt>{t('calc.after')}</dt>
        <dd>{answer.insertedAfter ?? t('calc.first')}</dd>
      </dl>
      <h4>{t('calc.delays')}</h4>
      {answer.delays.length === 0 ? (
        <p className="panel__note">{t('calc.noDelays')}</p>
      ) : (
        <table className="report" data-testid="plan-calc-delays">
          <tbody>
            {answer.delays.map((d) => (
              <tr key={d.order} data-order={d.order}>
                <td>
                  <a href={`/work-orders/${encodeURIComponent(d.order)}`}>{d.order}</a>
                </td>
                <td>{t('calc.by', { time: formatDurationText(d.byMs / 1000, lang) })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
