import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/**
 * A clean stop of an MQTT session: the farewell a will would have said (Takt's `offline`
 * status, Sparkplug's NDEATH) is published first, since a will fires only on an unclean loss;
 * then the client ends. Each half waits at most half of `timeoutMs`; a client that does not
 * close in time is forced, so a stop never hangs on a dead broker.
 */
export async function closeWithFarewell(
  client: MqttClient,
  farewell: { topic: string; payload: string | Buffer; retain?: boolean } | null,
  timeoutMs: number,
  log: Logger,
  name: string,
): Promise<void> {
  const half = timeoutMs / 2;
  if (farewell && client.connected) {
    await Promise.race([
      client.publishAsync(farewell.topic, farewell.payload, {
        qos: 1,
        ...(farewell.retain ? { retain: true } : {}),
      }),
      new Promise((r) => setTimeout(r, half).unref()),
    ]).catch(() => undefined);
  }
  await Promise.race([
    client.endAsync(),
    new Promise<void>((resolve) =>
      setTimeout(() => {
        log.warn(`${name} did not close in time; forcing`);
        client.end(true);
        resolve();
      }, half).unref(),
    ),
  ]);
}
