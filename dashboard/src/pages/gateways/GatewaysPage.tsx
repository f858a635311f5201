import { api, type GatewaySummary } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { useLoad } from '../use-api';
import { ageText, clockFlagged, offsetText, REFRESH_MS } from './gateway-format';
import { useRefreshTick } from './use-refresh';
import './gateways.css';

/** The online dot and its word. */
export function OnlineDot({ online }: { online: boolean }) {
  const { t } = useT();
  return (
    <span className={`gw-online gw-online--${online ? 'on' : 'off'}`} data-testid="gw-online">
      <span className="gw-online__dot" />
      {t(online ? 'gateways.online' : 'gateways.offline')}
    </span>
  );
}

function Row({ g, nowMs }: { g: GatewaySummary; nowMs: number }) {
  const { t } = useT();
  const connected = g.devices.filter((d) => d.connected).length;
  return (
    <tr data-testid="gw-row" data-id={g.id} data-online={String(g.online)}>
      <td>
        <a href={`/gateways/${encodeURIComponent(g.id)}`}>{g.id}</a>
      </td>
      <td>
        <OnlineDot online={g.online} />
      </td>
      <td data-testid="gw-last-seen">{ageText(t, g.lastSeenAt, nowMs)}</td>
      <td data-testid="gw-agent-version">{g.agentVersion ?? t('pages.none')}</td>
      <td data-testid="gw-config-version">
        <code>{g.configVersion ?? t('pages.none')}</code>
      </td>
      <td data-testid="gw-queue">{g.queueDepth ?? t('pages.none')}</td>
      <td data-testid="gw-oldest">{ageText(t, g.oldestUnackedAt, nowMs)}</td>
      <td
        data-testid="gw-clock"
        className={clockFlagged(g.clockOffsetMs) ? 'gw-flag' : ''}
        title={clockFlagged(g.clockOffsetMs) ? t('gateways.clockSkewed') : undefined}
      >
        {offsetText(g.clockOffsetMs)}
      </td>
      <td data-testid="gw-devices">
        {connected} / {g.devices.length}
      </td>
      <td data-testid="gw-dead" className={g.deadLetters24h > 0 ? 'gw-flag' : ''}>
        {g.deadLetters24h}
      </td>
    </tr>
  );
}

/** `/gateways`: every gateway's health, asked again every few seconds. */
export function GatewaysPage() {
  const { t, lang } = useT();
  const tick = useRefreshTick(REFRESH_MS);
  const list = useLoad(`gateways:${lang}:${tick}`, () => apiGet(api.gateways.list));
  const nowMs = Date.now();
  return (
    <main
      className="page page--gateways"
      data-testid="gateways-list"
      data-loaded={String(list.data !== null)}
    >
      <h2>{t('page.gateways')}</h2>
      {list.error ? (
        <p className="panel__note">{t('pages.error', { reason: list.error.message })}</p>
      ) : null}
      {list.data && list.data.length === 0 ? (
        <p className="panel__note">{t('gateways.none')}</p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table className="report">
            <thead>
              <tr>
                <th>{t('gateways.id')}</th>
                <th>{t('gateways.online')}</th>
                <th>{t('gateways.lastSeen')}</th>
                <th>{t('gateways.agentVersion')}</th>
                <th>{t('gateways.configVersion')}</th>
                <th>{t('gateways.queue')}</th>
                <th>{t('gateways.oldest')}</th>
                <th>{t('gateways.clock')}</th>
                <th>{t('gateways.devices')}</th>
                <th>{t('gateways.deadLetters')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((g) => (
                <Row key={g.id} g={g} nowMs={nowMs} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </main>
  );
}
