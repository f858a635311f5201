import { api, type GatewayConfigView } from '@takt/protocol/api';
import { useEffect, useState } from 'react';
import { useT } from '../i18n';
import { apiGet } from '../lib/api';
import { apiFetch } from '../lib/credentials';
import { useLoad } from './use-api';

/**
 * `/gateways/<id>/config` (admin): edit or upload a gateway's YAML, send it (validated, signed,
 * versioned by ingest), and see every version with the gateway's answer
 * (docs/config-reference.md "Remote configuration").
 */
export function GatewayConfigPanel({ id }: { id: string }) {
  const { t } = useT();
  const [round, setRound] = useState(0);
  const view = useLoad<GatewayConfigView>(`gw-config:${id}:${round}`, () =>
    apiGet(api.gatewayConfig.get, { params: { id } }),
  );
  const [text, setText] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const pending = view.data?.history.some((h) => h.status === 'pending') ?? false;

  // While a version waits for its answer, look again every few seconds.
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => setRound((r) => r + 1), 3000);
    return () => clearTimeout(timer);
  }, [pending, round]);

  const yaml = text ?? view.data?.yaml ?? '';
  const send = async () => {
    setBusy(true);
    try {
      const response = await apiFetch(`/api/gateways/${encodeURIComponent(id)}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/yaml' },
        body: yaml,
      });
      const answer = (await response.json().catch(() => ({}))) as {
        message?: string;
        version?: number;
      };
      if (!response.ok) {
        setNotice({ ok: false, text: answer.message ?? `HTTP ${response.status}` });
        return;
      }
      setNotice({ ok: true, text: t('gwConfig.pushed', { version: answer.version ?? '?' }) });
      setRound((r) => r + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main
      className="page page--gateway-config"
      data-testid="gateway-config"
      data-loaded={String(view.data !== null)}
    >
      <h2>{t('gwConfig.title', { id })}</h2>
      {view.error ? (
        <p className="panel__note">{t('pages.error', { reason: view.error.message })}</p>
      ) : null}
      <p className="panel__note">
        {view.data?.appliedVersion
          ? t('gwConfig.applied', { version: view.data.appliedVersion })
          : t('gwConfig.none')}
      </p>
      <form
        style={{ display: 'flex', flexDirection: 'column', gap: '0.5rem', maxWidth: '60rem' }}
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label style={{ display: 'flex', flexDirection: 'column' }}>
          {t('gwConfig.yaml')}
          <textarea
            data-testid="gateway-config-yaml"
            rows={20}
            cols={100}
            spellCheck={false}
            value={yaml}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <label>
          {t('gwConfig.upload')}
          <input
            type="file"
            accept=".yaml,.yml,text/yaml"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void file.text().then(setText);
            }}
          />
        </label>
        <button
          type="submit"
          style={{ alignSelf: 'flex-start' }}
          disabled={busy || yaml.trim() === ''}
        >
          {t('gwConfig.push')}
        </button>
      </form>
      {notice ? (
        <pre
          className={notice.ok ? 'panel__note' : 'panel__note panel__note--error'}
          data-testid="gateway-config-notice"
          role={notice.ok ? 'status' : 'alert'}
        >
          {notice.text}
        </pre>
      ) : null}
      <h3 style={{ marginTop: '1rem' }}>{t('gwConfig.history')}</h3>
      <div className="table-wrap">
        <table className="report" data-testid="gateway-config-history">
          <thead>
            <tr>
              <th>{t('gwConfig.version')}</th>
              <th>{t('gwConfig.status')}</th>
              <th>{t('gwConfig.by')}</th>
              <th>{t('gwConfig.at')}</th>
              <th>{t('gwConfig.resultAt')}</th>
              <th>{t('gwConfig.error')}</th>
            </tr>
          </thead>
          <tbody>
            {(view.data?.history ?? []).map((h) => (
              <tr key={h.version} data-status={h.status}>
                <td>{h.version}</td>
                <td>{t(`gwConfig.status.${h.status}`)}</td>
                <td>{h.createdBy ?? ''}</td>
                <td>{new Date(h.createdAt).toLocaleString()}</td>
                <td>{h.resultAt ? new Date(h.resultAt).toLocaleString() : ''}</td>
                <td>
                  <pre>{h.error ?? ''}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}
