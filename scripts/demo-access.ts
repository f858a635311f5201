import pg from 'pg';
// The few auth functions it needs, not '@takt/ingest' as a whole (its index loads the server).
import { generatePassword } from '../ingest/src/auth/secrets';
import {
  createLinkToken,
  createSession,
  createUser,
  findUserForLogin,
  revokeByLabel,
  setPassword,
} from '../ingest/src/auth/store';

/**
 * The demo's sign-ins (issue 9): the `admin` user gets a fresh generated password every run
 * (only its hash is stored), and a fresh kiosk link for the board replaces the last run's.
 * `seedToken` is a ten-minute session of that admin for the demo's set-up (its work orders).
 */
export async function demoAccess(
  databaseUrl: string,
  url: string,
): Promise<{ password: string; kioskUrl: string; seedToken: string }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const password = generatePassword();
    if (!(await createUser(pool, 'admin', 'admin', password)))
      await setPassword(pool, 'admin', password);
    await revokeByLabel(pool, 'kiosk', 'demo board');
    const kiosk = await createLinkToken(pool, {
      kind: 'kiosk',
      label: 'demo board',
      createdBy: 'npm start',
    });
    // A short session of the admin for the demo's own set-up (its work orders).
    const admin = await findUserForLogin(pool, 'admin');
    const { token: seedToken } = await createSession(pool, Number(admin!.id), 10 * 60_000);
    return { password, kioskUrl: `${url}/#kiosk=${kiosk.token}`, seedToken };
  } finally {
    await pool.end();
  }
}
