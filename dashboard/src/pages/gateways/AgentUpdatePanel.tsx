import { api, type AgentPackageListed, type GatewayUpdate } from '@takt/protocol/api';
import { useEffect, useState } from 'react';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { apiFetch } from '../../lib/credentials';
import { plantDateTime } from '../../lib/plant-time';
import { usePlant } from '../../plant/PlantContext';
import { useLoad } from '../use-api';

/** How often the steps are read again while an update is under way. */
const LIVE_MS = 2000;

interface SigFile {
  version: string;
  arch: string;
  signature: string;
}

function readSigFile(text: string): SigFile | undefined {
  try {
    const sig = JSON.parse(text) as Partial<SigFile>;
    if (typeof sig.version !== 'string' || typeof sig.arch !== 'string') return undefined;
    if (typeof sig.signature !== 'string') return undefined;
    return { version: sig.version, arch: sig.arch, signature: sig.signature };
  } catch {
    return undefined;
  }
}

/**
 * A gateway's "Agent update" panel (admin; docs/decisions.md "Issue 25 — signed agent updates
 * (server)"): upload a package with its `.sig`, push one, and the live list of each update's
 * steps with the gateway's errors as it sent them. Hidden from whoever may not read updates.
 */
export function AgentUpdatePanel({ id, arch }: { id: string; arch: string | null }) {
  const { t } = useT();
  const { timeZone } = usePlant();
  const [round, setRound] = useState(0);
  const history = useLoad<GatewayUpdate[]>(`gw-updates:${id}:${round}`, () =>
    apiGet(api.agentUpdate.history, { params: { id } }),
  );
  const packages = useLoad<AgentPackageListed[]>(`agent-packages:${round}`, () =>
    apiGet(api.agentUpdate.list),
  );
  const [chosen, setChosen] = useState('');
  const [confirmWithinS, setConfirmWithinS] = useState(120);
  const [archive, setArchive] = useState<File | null>(null);
  const [sigFile, setSigFile] = useState<File | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const live = history.data?.some((u) => u.status === 'sent' || u.status === 'running') ?? false;

  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(() => setRound((r) => r + 1), LIVE_MS);
    return () => clearTimeout(timer);
  }, [live, round]);

  if (history.error && history.data === null) return null; // not an admin: nothing to show
  const fitting = (packages.data ?? []).filter((p) => !arch || p.arch === arch);
  const sha256 = chosen || fitting[0]?.sha256 || '';

  const answerOf = async (response: Response) =>
    (await response.json().catch(() => ({}))) as { message?: string; id?: number };

  const upload = async () => {
    if (!archive || !sigFile) return;
    const sig = readSigFile(await sigFile.text());
    if (!sig) return setNotice({ ok: false, text: t('agentUpdate.badSigFile') });
    setBusy(true);
    try {
      const query = new URLSearchParams({ version: sig.version, arch: sig.arch });
      const response = await apiFetch(`/api/agent-packages?${query.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/gzip', 'x-takt-signature': sig.signature },
        body: archive,
      });
      const answer = await answerOf(response);
      if (!response.ok)
        return setNotice({ ok: false, text: answer.message ?? `HTTP ${response.status}` });
      setNotice({
        ok: true,
        text: t('agentUpdate.uploaded', { version: sig.version, arch: sig.arch }),
      });
      setRound((r) => r + 1);
    } finally {
      setBusy(false);
    }
  };

  const push = async () => {
    setBusy(true);
    try {
      const response = await apiFetch(`/api/gateways/${encodeURIComponent(id)}/update`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sha256, confirmWithinS }),
      });
      const answer = await answerOf(response);
      if (!response.ok)
        return setNotice({ ok: false, text: answer.message ?? `HTTP ${response.status}` });
      setNotice({ ok: true, text: t('agentUpdate.pushed', { id: answer.id ?? '?' }) });
      setRound((r) => r + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="gw-update" data-testid="agent-update">
      <h3>{t('agentUpdate.title')}</h3>
      <form
        className="gw-update__form"
        onSubmit={(e) => {
          e.preventDefault();
          void upload();
        }}
      >
        <strong>{t('agentUpdate.upload')}</strong>
        <label>
          {t('agentUpdate.archive')}{' '}
          <input
            type="file"
            data-testid="agent-update-archive"
            accept=".tar.gz,.tgz,application/gzip"
            onChange={(e) => setArchive(e.target.files?.[0] ?? null)}
          />
        </label>
        <label>
          {t('agentUpdate.sigFile')}{' '}
          <input
            type="file"
            data-testid="agent-update-sig"
            accept=".sig,application/json"
            onChange={(e) => setSigFile(e.target.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" disabled={busy || !archive || !sigFile}>
          {t('agentUpdate.uploadButton')}
        </button>
      </form>
      <form
        className="gw-update__form"
        onSubmit={(e) => {
          e.preventDefault();
          void push();
        }}
      >
        <label>
          {t('agentUpdate.package')}{' '}
          <select
            data-testid="agent-update-package"
            value={sha256}
            onChange={(e) => setChosen(e.target.value)}
          >
            {fitting.length === 0 ? <option value="">{t('agentUpdate.noPackages')}</option> : null}
            {fitting.map((p) => (
              <option key={p.sha256} value={p.sha256}>
                {p.version} · {p.arch} · {(p.size / 1024 / 1024).toFixed(1)} MB ·{' '}
                {p.sha256.slice(0, 12)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('agentUpdate.confirmWithin')}{' '}
          <input
            type="number"
            min={30}
            max={3600}
            value={confirmWithinS}
            onChange={(e) => setConfirmWithinS(Number(e.target.value))}
          />
        </label>
        <button type="submit" data-testid="agent-update-push" disabled={busy || sha256 === ''}>
          {t('agentUpdate.push')}
        </button>
      </form>
      {notice ? (
        <p
          className={notice.ok ? 'panel__note' : 'panel__note panel__note--error'}
          data-testid="agent-update-notice"
          role={notice.ok ? 'status' : 'alert'}
        >
          {notice.text}
        </p>
      ) : null}
      <h4>{t('agentUpdate.history')}</h4>
      {history.data?.length === 0 ? <p className="panel__note">{t('agentUpdate.none')}</p> : null}
      <ol className="gw-update__list" data-testid="agent-update-history">
        {(history.data ?? []).map((u) => (
          <li key={u.id} data-testid="agent-update-item" data-status={u.status}>
            <strong>
              #{u.id} · {u.version} ({u.arch})
            </strong>{' '}
            · {t(`agentUpdate.status.${u.status}`)} ·{' '}
            {plantDateTime(Date.parse(u.requestedAt), timeZone)}
            {u.requestedBy ? ` · ${t('agentUpdate.by', { who: u.requestedBy })}` : ''}
            <ol className="gw-update__steps">
              {u.steps.map((s) => (
                <li
                  key={s.step}
                  data-testid="agent-update-step"
                  data-step={s.step}
                  className={s.ok ? '' : 'gw-flag'}
                >
                  {t(`agentUpdate.step.${s.step}`)} · {plantDateTime(Date.parse(s.at), timeZone)}
                  {s.agentVersion ? ` · ${s.agentVersion}` : ''}
                  {s.error ? <pre data-testid="agent-update-error">{s.error}</pre> : null}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </section>
  );
}
