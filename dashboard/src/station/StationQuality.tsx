import { api, type StationView } from '@takt/protocol/api';
import { useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import { apiGet } from '../lib/api';
import { apiFetch } from '../lib/credentials';
import { NcPiecesFields } from '../pages/nc/NcPiecesFields';
import { useLoad } from '../pages/use-api';
import { TEST_IDS } from '../testids';

/** POST a JSON body; the server's reason (in the screen's language) on a refusal. */
async function post(path: string, body: unknown, lang: string): Promise<string | null> {
  const response = await apiFetch(`${path}?lang=${lang}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return null;
  const answer = (await response.json().catch(() => ({}))) as { message?: string };
  return answer.message ?? `HTTP ${response.status}`;
}

/** Numbers typed with spaces, commas or semicolons between them; null when one is not a number. */
export function parseValues(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  const values = parts.map(Number);
  return parts.length > 0 && values.every(Number.isFinite) ? values : null;
}

type Order = NonNullable<StationView['order']>;

/** One due inspection: its values typed and recorded as a subgroup (POST /api/measurements). */
function InspectionRow({
  characteristic,
  size,
  overdue,
  order,
  onDone,
}: {
  characteristic: { id: string; name: string; unit: string | null };
  size: number;
  overdue: boolean;
  order: Order;
  onDone: () => void;
}) {
  const { t, lang } = useT();
  const [text, setText] = useState('');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const values = parseValues(text);
    if (!values || values.length !== size)
      return setNotice({ ok: false, text: t('insp.badValues', { n: size }) });
    const refused = await post(
      '/api/measurements',
      {
        characteristic: characteristic.id,
        values,
        workOrder: order.workOrder,
        operation: order.operation,
        source: 'station',
      },
      lang,
    );
    if (refused) return setNotice({ ok: false, text: t('nc.refused', { reason: refused }) });
    setText('');
    setNotice({ ok: true, text: t('insp.saved') });
    onDone();
  };
  return (
    <form
      className="station__inspection"
      data-testid={TEST_IDS.inspectionRow}
      data-characteristic={characteristic.id}
      data-overdue={String(overdue)}
      onSubmit={(e) => void submit(e)}
    >
      <label>
        {characteristic.name}
        {characteristic.unit ? ` (${characteristic.unit})` : ''}
        {overdue ? ` · ${t('insp.overdue')}` : ''}
        <input
          name="values"
          inputMode="decimal"
          placeholder={t('insp.values', { n: size })}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setNotice(null);
          }}
        />
      </label>
      <button type="submit" className="station__button">
        {t('insp.send')}
      </button>
      {notice ? (
        <span role="status" data-ok={String(notice.ok)}>
          {notice.text}
        </span>
      ) : null}
    </form>
  );
}

/** Open an NC for rejected pieces of the running operation (POST /api/nonconformances). */
function OpenNc({ order, reasons }: { order: Order; reasons: StationView['reasons']['reject'] }) {
  const { t, lang } = useT();
  const [quantity, setQuantity] = useState('1');
  const [reason, setReason] = useState(reasons[0]?.id ?? '');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const refused = await post(
      '/api/nonconformances',
      {
        workOrder: order.workOrder,
        operation: order.operation,
        quantity: Number(quantity),
        reason: reason || reasons[0]?.id || '',
        source: 'reject',
      },
      lang,
    );
    setNotice(
      refused
        ? { ok: false, text: t('nc.refused', { reason: refused }) }
        : { ok: true, text: t('nc.saved') },
    );
  };
  return (
    <form
      className="station__inspection"
      data-testid={TEST_IDS.ncOpenForm}
      onSubmit={(e) => void submit(e)}
    >
      <NcPiecesFields
        quantity={quantity}
        reason={reason}
        reasons={reasons}
        onQuantity={setQuantity}
        onReason={setReason}
      />
      <button type="submit" className="station__button" name="open-nc">
        {t('nc.open')}
      </button>
      {notice ? (
        <span data-testid={TEST_IDS.ncNotice} role="status" data-ok={String(notice.ok)}>
          {notice.text}
        </span>
      ) : null}
    </form>
  );
}

/**
 * Quality at the station (issue 23): the inspections due on the running order
 * (GET /api/spc/due) with typed entry of their values, and an NC opened from rejects. Shown
 * to a signed-in person: a station link alone may not record measurements or NCs.
 */
export function StationQuality({ view }: { view: StationView }) {
  const { t } = useT();
  const order = view.order;
  const machine = view.station.machine ?? view.station.id;
  const [version, setVersion] = useState(0);
  const loaded = useLoad(order ? `due:${machine}:${order.workOrder}:${version}` : null, () =>
    Promise.all([
      apiGet(api.spc.due, { query: { machine, workOrder: order!.workOrder } }),
      apiGet(api.spc.list),
    ]),
  );
  if (!order || loaded.error) return null;
  const [due, characteristics] = loaded.data ?? [[], []];
  return (
    <section
      className="station__panel"
      data-testid={TEST_IDS.inspections}
      data-loaded={String(loaded.data !== null)}
      data-due={due.length}
    >
      <h2>{t('insp.title')}</h2>
      {loaded.data && due.length === 0 ? <p>{t('insp.none')}</p> : null}
      {due.map((d) => {
        const c = characteristics.find((x) => x.id === d.characteristic);
        if (!c) return null;
        return (
          <InspectionRow
            key={`${d.characteristic}:${d.dueAt}`}
            characteristic={c}
            size={c.subgroupSize ?? 1}
            overdue={d.overdue}
            order={order}
            onDone={() => setVersion((v) => v + 1)}
          />
        );
      })}
      <h2>{t('nc.open')}</h2>
      <OpenNc order={order} reasons={view.reasons.reject} />
    </section>
  );
}
