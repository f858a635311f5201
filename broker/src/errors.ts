/** Broker error codes (docs/architecture.md "Conventions" 8): messages a plant engineer can act on. */
export const BROKER_ERRORS = {
  BROKER_ERR_PORT_IN_USE: (host: string, port: number) =>
    `port ${port} on ${host} is already in use: is another broker (Mosquitto, a second Takt) running? Set TAKT_BROKER_PORT to another port.`,
  BROKER_ERR_LISTEN: (host: string, port: number, reason: string) =>
    `cannot listen on ${host}:${port}: ${reason}`,
  BROKER_ERR_USERS_FILE: (file: string, reason: string) => `users file ${file}: ${reason}`,
} as const;

export type BrokerErrorCode = keyof typeof BROKER_ERRORS;

export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'BrokerError';
  }
}
