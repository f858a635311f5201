import { api, type GatewayDetail } from '@takt/protocol/api';
import { useT } from '../../i18n';
import { apiGet } from '../../lib/api';
import { plantDateTime } from '../../lib/plant-time';
import { usePlant } from '../../plant/PlantContext';
import { useLoad } from '../use-api';
import { ageText, clockFlagged, offsetText, REFRESH_MS } from './gateway-format';
import { AgentUpdatePanel } from './AgentUpdatePanel';
import { OnlineDot } from './GatewaysPage';
import { useRefreshTick } from './use-refresh';
import './gateways.css';

function valueText(v: GatewayDetail['tags'][number]['value'], unit: string | null): string {
  if (v === null) return '—';
  const text = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  return unit ? `${text} ${unit}` : text;
}

function Facts({ g }: { g: GatewayDetail }) {
  const { t } = useT();
  const nowMs = Date.now();
  const facts: [string, string, string, boolean][] = [
    ['gw-last-seen', t('gateways.lastSeen'), ageText(t, g.lastSeenAt, nowMs), false],
    ['gw-agent-version', t('gateways.agentVersion'), g.agentVersion ?? '—', false],
    ['gw-config-version', t('gateways.configVersion'), g.configVersion ?? '—', false],
    ['gw-arch', t('agentUpdate.arch'), g.arch ?? '—', false],
    ['gw-queue', t('gateways.queue'), String(g.queueDepth ?? '—'), false],
    ['gw-oldest', t('gateways.oldest'), ageText(t, g.oldestUnackedAt, nowMs), false],
    ['gw-clock', t('gateways.clock'), offsetText(g.clockOffsetMs), clockFlagged(g.clockOffsetMs)],
    ['gw-dead', t('gateways.deadLetters'), String(g.deadLetters24h), g.deadLetters24h > 0],
  ];
  return (
    <dl className="gw-facts">
      {facts.map(([id, label, value, flag]) => (
        <div key={id}>
          <dt>{label}</dt>
          <dd data-testid={id} className={flag ? 'gw-flag' : ''}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** `/gateways/<id>`: one gateway's health, its devices, and its machines' tags' latest values. */
export function GatewayPage({ id }: { id: string }) {
  const { t, lang } = useT();
  const { timeZone } = usePlant();
  const tick = useRefreshTick(REFRESH_MS);
  const detail = useLoad(`gateway:${id}:${lang}:${tick}`, () =>
    apiGet(api.gateways.detail, { params: { id } }),
  );
  const g = detail.data;
  return (
    <main
      className="page page--gateway"
      data-testid="gateway-detail"
      data-loaded={String(g !== null)}
    >
      <p>
        <a href="/gateways">{t('gateways.back')}</a> ·{' '}
        <a href={`/gateways/${encodeURIComponent(id)}/config`}>{t('gateways.configure')}</a>
      </p>
      <h2>
        {id} {g ? <OnlineDot online={g.online} /> : null}
      </h2>
      {detail.error ? (
        <p className="panel__note">{t('pages.error', { reason: detail.error.message })}</p>
      ) : null}
      {g ? (
        <>
          <Facts g={g} />
          <h3>{t('gateways.devices')}</h3>
          <ul className="gw-devices">
            {g.devices.map((d) => (
              <li key={d.id} data-testid="gw-device" data-connected={String(d.connected)}>
                <span className={`gw-online gw-online--${d.connected ? 'on' : 'off'}`}>
                  <span className="gw-online__dot" />
                </span>{' '}
                <strong>{d.id}</strong>{' '}
                {t(d.connected ? 'gateways.connected' : 'gateways.disconnected')}
                {d.machines.length > 0 ? ` · ${d.machines.join(', ')}` : ''}
              </li>
            ))}
          </ul>
          {g.tags.length === 0 ? (
            <p className="panel__note">{t('gateways.noTags')}</p>
          ) : (
            <div className="table-wrap">
              <table className="report">
                <thead>
                  <tr>
                    <th>{t('gateways.machine')}</th>
                    <th>{t('gateways.tag')}</th>
                    <th>{t('gateways.value')}</th>
                    <th>{t('gateways.quality')}</th>
                    <th>{t('gateways.time')}</th>
                  </tr>
                </thead>
                <tbody>
                  {g.tags.map((tag) => (
                    <tr
                      key={`${tag.machine}/${tag.tag}`}
                      data-testid="gw-tag"
                      data-tag={`${tag.machine}/${tag.tag}`}
                      className={`gw-quality--${tag.quality}`}
                    >
                      <td>{tag.machine}</td>
                      <td>{tag.tag}</td>
                      <td data-testid="gw-tag-value">{valueText(tag.value, tag.unit)}</td>
                      <td>{t(`gateways.quality.${tag.quality}`)}</td>
                      <td>{plantDateTime(Date.parse(tag.time), timeZone)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <AgentUpdatePanel id={id} arch={g.arch} />
        </>
      ) : null}
    </main>
  );
}
