import { useState } from 'react';
import { useT } from '../../i18n';
import { apiFetch } from '../../lib/credentials';

/**
 * A manager freezes the limits from the window shown (phase I → II), with a reason; the
 * server refuses a window of fewer than 20 subgroups and says why.
 */
export function FreezeBaseline({
  id,
  window,
  onFrozen,
}: {
  id: string;
  window: { from: string; to: string };
  onFrozen: () => void;
}) {
  const { t, lang } = useT();
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async () => {
    setBusy(true);
    try {
      const response = await apiFetch(`/api/spc/${encodeURIComponent(id)}/baseline?lang=${lang}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: window.from, to: window.to, reason: reason.trim() }),
      });
      const answer = (await response.json().catch(() => ({}))) as { message?: string };
      if (!response.ok) {
        setNotice({ ok: false, text: answer.message ?? `HTTP ${response.status}` });
        return;
      }
      setNotice({ ok: true, text: t('spc.freezeDone') });
      setReason('');
      onFrozen();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="spc-freeze"
      data-testid="spc-freeze"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <span>{t('spc.freeze')}</span>
      <input
        aria-label={t('spc.freezeReason')}
        placeholder={t('spc.freezeReason')}
        value={reason}
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="submit" disabled={busy || reason.trim().length === 0}>
        {t('spc.freezeSend')}
      </button>
      {notice ? (
        <span
          className={notice.ok ? 'spc-ok' : 'spc-bad'}
          data-testid="spc-freeze-notice"
          role="status"
        >
          {notice.text}
        </span>
      ) : null}
    </form>
  );
}
