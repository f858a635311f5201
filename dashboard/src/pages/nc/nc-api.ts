import type { Nonconformance } from '@takt/protocol/api';
import { apiFetch } from '../../lib/credentials';

/**
 * Sends an NC change (docs/decisions.md, "Issue 23 — nonconformance and rework"): the answer,
 * or the server's reason for a refusal, already in the screen's language (`lang=`).
 */
export async function sendNc(
  path: string,
  body: unknown,
  lang: string,
): Promise<{ ok: true; nc: Nonconformance } | { ok: false; reason: string }> {
  const response = await apiFetch(`${path}?lang=${lang}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) return { ok: false, reason: answer.message ?? `HTTP ${response.status}` };
  return { ok: true, nc: answer as Nonconformance };
}
