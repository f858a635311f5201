import { api, NC_SOURCES } from '@takt/protocol/api';
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { usePlant } from '../../plant/PlantContext';
import { TEST_IDS } from '../../testids';
import { useLoad } from '../use-api';
import { sendNc } from './nc-api';
import { NcPiecesFields } from './NcPiecesFields';
import { NcTable } from './NcTable';
import './nc.css';

/**
 * The order page's nonconformances (issue 23): pieces in rework and NCs per operation, the
 * NCs with their actions, and a form to open one. Its own component: the order page mounts
 * it in one line. `onChanged` reloads the order (rework changes its pieces).
 */
export function OrderNc({
  id,
  operations,
  onChanged,
}: {
  id: string;
  operations: readonly string[];
  onChanged: () => void;
}) {
  const { t, lang } = useT();
  const { plant } = usePlant();
  const reasons = plant?.reasons?.reject ?? [];
  const [version, setVersion] = useState(0);
  const data = useLoad(`order-nc:${id}:${version}`, () =>
    apiGet(api.nonconformances.order, { params: { id } }),
  ).data;
  const [form, setForm] = useState({
    operation: operations[0] ?? '',
    quantity: '1',
    reason: '',
    source: 'reject' as (typeof NC_SOURCES)[number],
  });
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };

  const open = async (event: FormEvent) => {
    event.preventDefault();
    const result = await sendNc(
      '/api/nonconformances',
      {
        workOrder: id,
        operation: form.operation,
        quantity: Number(form.quantity),
        reason: form.reason || reasons[0]?.id || '',
        source: form.source,
      },
      lang,
    );
    setNotice(
      result.ok
        ? { ok: true, text: t('nc.saved') }
        : { ok: false, text: t('nc.refused', { reason: result.reason }) },
    );
    if (result.ok) changed();
  };

  return (
    <section
      className="panel panel--wide"
      data-testid={TEST_IDS.ncOrder}
      data-count={data?.nonconformances.length ?? ''}
      data-in-rework={data?.operations.reduce((s, o) => s + o.inRework, 0) ?? ''}
    >
      <h3>{t('nc.orderTitle', { count: data?.nonconformances.length ?? 0 })}</h3>
      {data ? (
        <p className="panel__note">
          {data.operations
            .map((o) =>
              t('nc.orderOps', { operation: o.operation, inRework: o.inRework, count: o.count }),
            )
            .join(' · ')}
        </p>
      ) : null}
      {data ? <NcTable rows={data.nonconformances} onChanged={changed} showOrder={false} /> : null}
      <form
        className="nc-page__filters"
        data-testid={TEST_IDS.ncOpenForm}
        onSubmit={(e) => void open(e)}
      >
        <label>
          {t('nc.operation')}
          <select
            name="operation"
            value={form.operation}
            onChange={(e) => setForm({ ...form, operation: e.target.value })}
          >
            {operations.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <NcPiecesFields
          quantity={form.quantity}
          reason={form.reason || reasons[0]?.id || ''}
          reasons={reasons}
          onQuantity={(quantity) => setForm({ ...form, quantity })}
          onReason={(reason) => setForm({ ...form, reason })}
        />
        <label>
          {t('nc.source')}
          <select
            name="source"
            value={form.source}
            onChange={(e) =>
              setForm({ ...form, source: e.target.value as (typeof NC_SOURCES)[number] })
            }
          >
            {NC_SOURCES.map((s) => (
              <option key={s} value={s}>
                {t(`nc.source.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" name="open-nc">
          {t('nc.opening')}
        </button>
      </form>
      {notice ? (
        <p data-testid={TEST_IDS.ncNotice} data-ok={String(notice.ok)} role="status">
          {notice.text}
        </p>
      ) : null}
    </section>
  );
}
