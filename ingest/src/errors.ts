/** Ingest error codes (docs/architecture.md "Conventions" 8). */
export const INGEST_ERRORS = {
  INGEST_ERR_DB_CONNECT: (where: string, reason: string) =>
    `cannot reach PostgreSQL at ${where}: ${reason}. Check DATABASE_URL, or unset it to run the embedded database.`,
  INGEST_ERR_MIGRATION: (file: string, reason: string) => `migration ${file} failed: ${reason}`,
  INGEST_ERR_PORT_IN_USE: (host: string, port: number) =>
    `HTTP port ${port} on ${host} is already in use: set TAKT_HTTP_PORT to another port.`,
  INGEST_ERR_EMBEDDED_PG: (reason: string) => `the embedded PostgreSQL did not start: ${reason}`,
  INGEST_ERR_NOT_FOUND: (what: string) => `${what} not found`,
  INGEST_ERR_BAD_REQUEST: (reason: string) => reason,
  INGEST_ERR_UNAUTHENTICATED: () =>
    'sign in first (session cookie, or Authorization: Bearer <token>)',
  INGEST_ERR_FORBIDDEN: (who: string) => `${who} may not do this`,
  INGEST_ERR_LOGIN: () => 'wrong user name or password',
  INGEST_ERR_LOGIN_LIMIT: (seconds: number, from = 'from this address') =>
    `too many failed logins ${from}: try again in ${seconds} s`,
  INGEST_ERR_ACCESS_UNDECLARED: (problem: string) => problem,
  INGEST_ERR_CONFLICT: (reason: string) => reason,
  INGEST_ERR_STORAGE_ENGINE: (reason: string) => `storage engine: ${reason}`,
  INGEST_ERR_PIN: () => 'no operator has this PIN',
  INGEST_ERR_PIN_LIMIT: (seconds: number) =>
    `too many wrong PINs at this station: try again in ${seconds} s`,
  INGEST_ERR_BUSY: (reason: string) => `not stored yet (${reason}): send it again`,
  INGEST_ERR_IMPORT_LIMIT: (reason: string) => reason,
  INGEST_ERR_IMPORT_BUSY: () =>
    'two imports are being read already: send this file again when one of them has answered',
  INGEST_ERR_IMPORT_WORKER: (problem: string) => problem,
  INGEST_ERR_INTERNAL: (id: string) =>
    `internal error; the ingest log has the details under error id ${id}`,
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly statusCode = 500,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
