import type { StationView } from '@takt/protocol/api';
import { useState } from 'react';
import { useT } from '../i18n';

/**
 * The running (or paused) order and operation, its progress against the quantity and the
 * shift's target; start / pause / complete; good and reject pieces. Every button queues a
 * station code (docs/dashboard.md "Station"): the same codes a traveller or a card carries.
 */
export function OrderPanel({ view, queue }: { view: StationView; queue: (code: string) => void }) {
  const { t } = useT();
  const order = view.order;
  const [quantity, setQuantity] = useState(1);
  const [rejecting, setRejecting] = useState(false);
  const traveller = order ? `${order.workOrder}|${order.operation}` : null;
  const progress = order && order.quantity > 0 ? Math.min(1, order.good / order.quantity) : 0;
  return (
    <section
      className="station__panel station__order"
      data-testid="station-order"
      data-status={order?.status ?? 'none'}
    >
      {order ? (
        <>
          <h2 className="station__order-title">
            <span data-testid="station-order-id">{order.workOrder}</span> · {order.operation}{' '}
            <span className={`station__status station__status--${order.status}`}>
              {t(`station.status.${order.status}`)}
            </span>
          </h2>
          <p className="station__product">{order.product}</p>
          <div className="station__progress" aria-hidden="true">
            <div className="station__progress-bar" style={{ width: `${progress * 100}%` }} />
          </div>
          <p className="station__figures">
            <span data-testid="station-good" data-good={order.good}>
              {t('station.progress', { good: order.good, quantity: order.quantity })}
            </span>
            <span data-testid="station-rejected" data-rejected={order.rejected}>
              {t('station.rejected', { rejected: order.rejected })}
            </span>
          </p>
        </>
      ) : (
        <p className="station__empty" data-testid="station-no-order">
          {t('station.noOrder')}
        </p>
      )}
      {view.shiftTarget && (
        <p className="station__target" data-testid="station-target">
          {t('station.shiftTarget', {
            shift: view.shiftTarget.shift,
            pieces: view.shiftTarget.pieces,
          })}
        </p>
      )}
      <div className="station__actions">
        <button
          type="button"
          className="station__button station__button--go"
          data-testid="station-start"
          disabled={!traveller || order?.status === 'running'}
          onClick={() => traveller && queue(traveller)}
        >
          {order?.status === 'paused' ? t('station.resume') : t('station.start')}
        </button>
        <button
          type="button"
          className="station__button station__button--pause"
          data-testid="station-pause"
          disabled={order?.status !== 'running'}
          onClick={() => queue('ACT:PAUSE')}
        >
          {t('station.pause')}
        </button>
        <button
          type="button"
          className="station__button station__button--done"
          data-testid="station-complete"
          disabled={!order}
          onClick={() => queue('ACT:COMPLETE')}
        >
          {t('station.complete')}
        </button>
      </div>
      <div className="station__pieces">
        <label className="station__quantity">
          {t('station.quantity')}
          <span className="station__stepper">
            <button
              type="button"
              className="station__step"
              aria-label="−1"
              onClick={() => setQuantity((q) => Math.max(1, q - 1))}
            >
              −
            </button>
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={999_999}
              value={quantity}
              data-testid="station-quantity"
              onChange={(e) =>
                setQuantity(Math.max(1, Math.min(999_999, Math.floor(Number(e.target.value)) || 1)))
              }
            />
            <button
              type="button"
              className="station__step"
              aria-label="+1"
              onClick={() => setQuantity((q) => Math.min(999_999, q + 1))}
            >
              +
            </button>
          </span>
        </label>
        <button
          type="button"
          className="station__button station__button--go"
          data-testid="station-add-good"
          disabled={!order}
          onClick={() => queue(`QTY:${quantity}`)}
        >
          {t('station.addGood', { n: quantity })}
        </button>
        <button
          type="button"
          className="station__button station__button--bad"
          data-testid="station-add-reject"
          disabled={!order}
          aria-expanded={rejecting}
          onClick={() => setRejecting((r) => !r)}
        >
          {t('station.addReject', { n: quantity })}
        </button>
      </div>
      {rejecting && order && (
        <div className="station__reasons" data-testid="station-reject-reasons">
          <span className="station__hint">{t('station.rejectReason')}</span>
          {view.reasons.reject.map((reason) => (
            <button
              key={reason.id}
              type="button"
              className="station__button station__button--choice"
              data-testid="station-reject-reason"
              data-reason={reason.id}
              onClick={() => {
                queue(`REJ:${quantity}:${reason.id}`);
                setRejecting(false);
              }}
            >
              {reason.name}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
