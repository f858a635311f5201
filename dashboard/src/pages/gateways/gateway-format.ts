import type { MessageKey, Vars } from '../../i18n/translate';

/** How often the Gateways pages ask again: the agents send their status every 10 s. */
export const REFRESH_MS = 5_000;
/** Beyond this the clock offset is flagged (the timestamp horizon's skew limit, 2 s). */
export const CLOCK_FLAG_MS = 2_000;

type T = (key: MessageKey, vars?: Vars) => string;

/** "12 s ago", "3 min ago", … from an ISO time; `—` without one. */
export function ageText(t: T, iso: string | null, nowMs: number): string {
  if (!iso) return t('pages.none');
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 120) return t('gateways.ago.s', { n: s });
  if (s < 7_200) return t('gateways.ago.min', { n: Math.round(s / 60) });
  if (s < 172_800) return t('gateways.ago.h', { n: Math.round(s / 3600) });
  return t('gateways.ago.d', { n: Math.round(s / 86_400) });
}

/** "+12 ms", "−3.4 s": the gateway's clock minus the server's. */
export function offsetText(ms: number | null): string {
  if (ms === null) return '—';
  const sign = ms < 0 ? '−' : '+';
  const abs = Math.abs(ms);
  return abs < 1000 ? `${sign}${abs} ms` : `${sign}${(abs / 1000).toFixed(1)} s`;
}

export const clockFlagged = (ms: number | null): boolean =>
  ms !== null && Math.abs(ms) > CLOCK_FLAG_MS;
