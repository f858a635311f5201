/**
 * Who may call what (issue 9), as plain data and pure functions: every `/api/*` route
 * declares `config: { access: [...] }`; one onRequest hook checks it (http/auth.ts).
 */
// The roles and route groups are part of the API contract (protocol/src/api/contract.ts).
export {
  ADMIN,
  BOARD,
  CUSTOMER_ONLY,
  MANAGERS,
  PUBLIC,
  ROLES,
  STAFF,
  type Access,
  type Role,
} from '@takt/protocol';
import { ROLES, type Access, type Role } from '@takt/protocol';

export type Principal =
  | { kind: 'user'; userId: number; name: string; role: Role; sessionHash: Buffer }
  | { kind: 'kiosk'; tokenId: number; label: string }
  | { kind: 'customer'; tokenId: number; label: string; customer: string };

/** Methods that change nothing: the only ones a link token (kiosk, customer) may use. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function principalAccess(p: Principal): Access {
  return p.kind === 'user' ? p.role : p.kind;
}

export type AccessDecision = 'allow' | 'unauthenticated' | 'forbidden';

/**
 * 401 when nobody is signed in, 403 when the one signed in may not: a kiosk or customer
 * token never changes anything, whatever a route declares.
 */
export function decideAccess(
  principal: Principal | undefined,
  access: readonly Access[],
  method: string,
): AccessDecision {
  if (access.includes('public')) return 'allow';
  if (!principal) return 'unauthenticated';
  if (principal.kind !== 'user' && !READ_METHODS.has(method)) return 'forbidden';
  return access.includes(principalAccess(principal)) ? 'allow' : 'forbidden';
}

/**
 * A route's declaration, checked when it is registered: missing, empty, unknown or a
 * link token on a method that changes things makes ingest refuse to start.
 */
export function declarationProblem(
  method: string,
  url: string,
  access: unknown,
): string | undefined {
  const where = `${method} ${url}`;
  if (!Array.isArray(access) || access.length === 0)
    return `${where} declares no access: add config: { access: [...] } (docs/decisions.md, "API access (issue 9)")`;
  const known: readonly string[] = [...ROLES, 'kiosk', 'customer', 'station', 'public'];
  const unknown = access.filter((a) => typeof a !== 'string' || !known.includes(a));
  if (unknown.length > 0) return `${where} declares unknown access ${JSON.stringify(unknown)}`;
  if (!READ_METHODS.has(method) && access.some((a) => a === 'kiosk' || a === 'customer'))
    return `${where} changes data: kiosk and customer tokens are read-only`;
  return undefined;
}
