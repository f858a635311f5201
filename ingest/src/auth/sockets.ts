import type { Server as SocketServer } from 'socket.io';
import type { Principal } from './access';

/**
 * Closes the live connections a credential opened, when it stops being valid (sign-out,
 * revoked link, disabled user): a TV whose link was revoked goes dark at once, not at its
 * next reconnect.
 */
export function dropSockets(io: SocketServer, holds: (p: Principal) => boolean): number {
  let dropped = 0;
  for (const socket of io.of('/').sockets.values()) {
    const principal = socket.data.principal as Principal | undefined;
    if (principal && holds(principal)) {
      socket.disconnect(true);
      dropped++;
    }
  }
  return dropped;
}

export const tokenHolder = (tokenId: number) => (p: Principal) =>
  p.kind !== 'user' && p.tokenId === tokenId;
export const sessionHolder = (sessionHash: Buffer) => (p: Principal) =>
  p.kind === 'user' && p.sessionHash.equals(sessionHash);
export const userHolder = (userId: number) => (p: Principal) =>
  p.kind === 'user' && p.userId === userId;
