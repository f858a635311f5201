import type { z } from 'zod';

/** The user roles (issue 9, docs/decisions.md "API access"). */
export const ROLES = ['admin', 'manager', 'maintenance', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route may allow: a user role, a kiosk, customer or station link token, or anyone.
 * A station token acts only on routes of its own station (`/api/stations/:id/…` with its id;
 * docs/decisions.md "Issue 17 — the operator station").
 */
export type Access = Role | 'kiosk' | 'customer' | 'station' | 'public';

/** Every signed-in person, whatever the role. */
export const STAFF: readonly Access[] = ROLES;
/** What a wall board reads: staff and kiosk screens. */
export const BOARD: readonly Access[] = [...ROLES, 'kiosk'];
export const MANAGERS: readonly Access[] = ['admin', 'manager'];
export const ADMIN: readonly Access[] = ['admin'];
export const PUBLIC: readonly Access[] = ['public'];
export const CUSTOMER_ONLY: readonly Access[] = ['customer'];
/** Who acknowledges and clears alerts and reads the rules. */
export const RESPONDERS: readonly Access[] = ['admin', 'manager', 'maintenance'];
/** Who reads dead letters: the people who fix gateways; not operators, not screens. */
export const DEAD_LETTER_READERS: readonly Access[] = ['admin', 'maintenance'];
/** Who acts at a station: its operators (and their supervisors), and the station's own link. */
export const STATION_ACTORS: readonly Access[] = ['admin', 'manager', 'operator', 'station'];
/** Any holder of a valid credential. */
export const ANYONE_SIGNED_IN: readonly Access[] = [...BOARD, 'customer'];

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** An answer other than the main one, documented (the body is the API error unless said). */
export type OtherAnswers = Partial<
  Record<400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503, string>
>;

/**
 * One HTTP route of ingest: where, who, what it takes and what it answers. ingest validates
 * requests with these schemas and types its handlers by them, the dashboard types its fetch by
 * them, and docs/openapi.yaml is generated from them (protocol/src/api/openapi.ts).
 */
export interface ApiRoute<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** fastify's form: `/api/machines/:id`. */
  path: string;
  access: readonly Access[];
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The main answer's status (200 unless said). */
  status?: 200 | 201 | 202 | 204;
  response: R;
  responseDescription?: string;
  /** Other media types the main answer comes in (`text/csv`), or instead of JSON. */
  csv?: 'also' | 'only';
  /** The main answer is a PDF file (`application/pdf`) instead of JSON. */
  pdf?: true;
  /** The main answer is a PNG image (`image/png`) instead of JSON. */
  png?: true;
  /** The main answer is a gzip archive (`application/gzip`) instead of JSON (agent packages). */
  gzip?: true;
  /** A request body that is not JSON (the work-order import). */
  rawBody?: Record<string, { type: 'string'; format?: 'binary' }>;
  /** The request schemas are checked inside the handler, not before it (login: its limit first). */
  validateInHandler?: boolean;
  errors?: OtherAnswers;
}

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType = z.ZodType,
>(route: ApiRoute<P, Q, B, R>): ApiRoute<P, Q, B, R> {
  return route;
}

/** What a route answers, as the browser reads it (JSON: dates are ISO strings). */
export type ApiResponse<T extends ApiRoute> = z.output<T['response']>;
/** What a route takes in its query string, as the caller writes it. */
export type ApiQuery<T extends ApiRoute> = T['query'] extends z.ZodType
  ? z.input<T['query']>
  : never;
export type ApiBody<T extends ApiRoute> = T['body'] extends z.ZodType ? z.input<T['body']> : never;
