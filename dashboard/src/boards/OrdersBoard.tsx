import { useEffect, useState } from 'react';
import { apiFetch } from '../lib/credentials';
import { TEST_IDS } from '../testids';

interface OrderRow {
  id: string;
  customer: string | null;
  product: string | null;
  progress: number;
}

/** Work-order progress (to be completed: ETA vs due, risk and stall flags, urgency order). */
export function OrdersBoard() {
  const [orders, setOrders] = useState<OrderRow[]>([]);
  useEffect(() => {
    void apiFetch('/api/work-orders').then(async (r) => {
      if (r.ok) setOrders(((await r.json()) as { orders: OrderRow[] }).orders);
    });
  }, []);
  return (
    <main className="orders-board" data-testid={TEST_IDS.ordersBoard}>
      <ul>
        {orders.map((o) => (
          <li key={o.id} data-order-id={o.id}>
            {o.id} {o.customer} {o.product} {Math.round(o.progress * 100)} %
          </li>
        ))}
      </ul>
    </main>
  );
}
