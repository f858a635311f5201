import { useEffect, useState } from 'react';
import { apiFetch } from '../lib/credentials';
import { TEST_IDS } from '../testids';

interface TrackedOrder {
  id: string;
  product: string | null;
  quantity: number;
  dueAt: string | null;
  status: string;
  stage: { operation: string; status: string } | null;
  good: number;
  progress: number;
  eta: string | null;
  lateRisk: boolean;
}

const REFRESH_MS = 30_000;
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** A customer's private page (`/track#<token>`): their orders, read-only, refreshed. */
export function TrackPage() {
  const [data, setData] = useState<{ customer: string; orders: TrackedOrder[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    const load = async () => {
      const response = await apiFetch('/api/track/orders');
      if (!alive) return;
      if (response.ok) {
        setData((await response.json()) as { customer: string; orders: TrackedOrder[] });
        setError(null);
      } else
        setError(
          response.status === 401
            ? 'This link is not valid (any more). Ask your contact for a new one.'
            : `HTTP ${response.status}`,
        );
    };
    void load().catch(() => alive && setError('the server does not answer'));
    const timer = window.setInterval(() => void load().catch(() => undefined), REFRESH_MS);
    return () => {
      alive = false;
      window.clearInterval(timer);
    };
  }, []);

  return (
    <main className="track" data-testid={TEST_IDS.track}>
      <h1>
        <span className="header__brand">Takt</span> {data ? `Orders of ${data.customer}` : 'Orders'}
      </h1>
      {error && <p className="login__error">{error}</p>}
      {data && (
        <table className="track__table">
          <thead>
            <tr>
              <th>Order</th>
              <th>Product</th>
              <th>Stage</th>
              <th>Progress</th>
              <th>Due</th>
              <th>Expected</th>
            </tr>
          </thead>
          <tbody>
            {data.orders.map((o) => (
              <tr key={o.id} data-testid={TEST_IDS.trackOrder} data-order-id={o.id}>
                <td>{o.id}</td>
                <td>{o.product ?? '—'}</td>
                <td>{o.status === 'completed' ? 'done' : (o.stage?.operation ?? '—')}</td>
                <td>
                  {o.good} / {o.quantity} ({Math.round(o.progress * 100)} %)
                </td>
                <td>{day(o.dueAt)}</td>
                <td className={o.lateRisk ? 'track__late' : undefined}>{day(o.eta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
