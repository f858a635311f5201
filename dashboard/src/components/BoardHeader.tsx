import type { MachineSnapshot } from '@takt/protocol/live';
import type { ConnectionStatus } from '../lib/live-state';
import { plantClock } from '../lib/plant-time';
import { countByState, stateStyle, SUMMARY_ORDER } from '../lib/machine-state';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import type { Account } from '../Shell';
import { TEST_IDS } from '../testids';

interface BoardHeaderProps {
  title: string | null;
  machines: readonly MachineSnapshot[];
  status: ConnectionStatus;
  serverNowMs: number;
  /** A signed-in user: name, pages and sign-out (absent on a kiosk screen). */
  account?: Account | undefined;
}

function StateSummary({ machines }: Pick<BoardHeaderProps, 'machines'>) {
  const { t } = useT();
  const counts = countByState(machines);
  return (
    <div className="header__summary">
      {SUMMARY_ORDER.filter((state) => counts[state] > 0).map((state) => (
        <span key={state} className="summary-chip" data-state={state}>
          <span className="summary-chip__dot" style={{ background: stateStyle(state).color }} />
          <span className="summary-chip__count">{counts[state]}</span>
          <span className="summary-chip__label">{t(`stateShort.${state}`)}</span>
        </span>
      ))}
    </div>
  );
}

function Nav({ account }: { account: Account }) {
  const { t } = useT();
  return (
    <nav className="header__nav" data-testid={TEST_IDS.nav}>
      <a href="/">{t('nav.boards')}</a>
      <a href="/analytics">{t('nav.analytics')}</a>
      <a href="/maintenance">{t('nav.maintenance')}</a>
      <a href="/spc" data-testid="nav-spc">
        {t('nav.spc')}
      </a>
      {account.fixesGateways ? (
        <a href="/gateways" data-testid="nav-gateways">
          {t('nav.gateways')}
        </a>
      ) : null}
      {account.manages ? (
        <a href="/planning" data-testid="nav-planning">
          {t('nav.planning')}
        </a>
      ) : null}
      {account.manages ? (
        <a href="/reports/monthly" data-testid="nav-monthly">
          {t('nav.monthly')}
        </a>
      ) : null}
      {account.manages ? (
        <a href="/access" data-testid={TEST_IDS.accessLink}>
          {t('nav.access')}
        </a>
      ) : null}
    </nav>
  );
}

export function LangSwitch() {
  const { t, lang, setLang } = useT();
  return (
    <button
      type="button"
      className="header__lang"
      data-testid={TEST_IDS.langSwitch}
      data-lang={lang}
      onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
    >
      {t('lang.switch')}
    </button>
  );
}

/** Site, machine states at a glance, live status, the plant's clock; pages for signed-in staff. */
export function BoardHeader({ title, machines, status, serverNowMs, account }: BoardHeaderProps) {
  const { t } = useT();
  const { timeZone } = usePlant();
  return (
    <header className="header">
      <div className="header__title">
        <span className="header__brand">{t('app.title')}</span>
        <h1 className="header__site" data-testid={TEST_IDS.siteName}>
          {title ?? t('board.plant')}
        </h1>
      </div>
      {account ? <Nav account={account} /> : null}
      <StateSummary machines={machines} />
      <span
        className={`conn conn--${status}`}
        data-testid={TEST_IDS.connectionStatus}
        data-status={status}
      >
        <span className="conn__dot" />
        {t(`conn.${status}`)}
      </span>
      <time className="clock" data-testid={TEST_IDS.clock} data-time-zone={timeZone}>
        {plantClock(serverNowMs, timeZone)}
      </time>
      <LangSwitch />
      {account && (
        <button
          className="header__account"
          type="button"
          data-testid={TEST_IDS.signOut}
          onClick={() => void account.signOut()}
        >
          {t('nav.signOut', { name: account.name })}
        </button>
      )}
    </header>
  );
}
