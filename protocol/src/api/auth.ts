import { z } from 'zod';
import { isoTimeSchema } from '../live';
import { ADMIN, ANYONE_SIGNED_IN, MANAGERS, PUBLIC, ROLES, STAFF, defineRoute } from './contract';
import { numericIdParams, pathIdSchema, timeOut } from './common';

export const roleSchema = z.enum(ROLES);

export const userSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    createdAt: timeOut,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

export const linkTokenSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(['kiosk', 'customer', 'station']),
    label: z.string(),
    customer: z.string().nullable(),
    /** A station link's station (docs/decisions.md "Issue 17 — the operator station"). */
    station: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: timeOut,
    expiresAt: timeOut.nullable(),
    revokedAt: timeOut.nullable(),
    lastUsedAt: timeOut.nullable(),
  })
  .meta({ id: 'LinkToken' });
export type LinkToken = z.infer<typeof linkTokenSchema>;

export const whoAmISchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), name: z.string(), role: roleSchema }),
  z.object({ kind: z.literal('kiosk'), label: z.string() }),
  z.object({ kind: z.literal('customer'), label: z.string(), customer: z.string() }),
  z.object({ kind: z.literal('station'), label: z.string(), station: z.string() }),
]);
export type WhoAmI = z.infer<typeof whoAmISchema>;

const userName = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'letters, digits, _ . @ - (1–64)');
const label = z.string().trim().min(1).max(100);
const created = { token: z.string(), path: z.string() };

export const loginBodySchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
  /** Scripts: the token in the answer (for Authorization: Bearer) instead of a cookie. */
  bearer: z.boolean().default(false),
});

export const authRoutes = {
  login: defineRoute({
    method: 'POST',
    path: '/api/auth/login',
    access: PUBLIC,
    summary: 'Sign in; sets the session cookie (or, with bearer true, returns the token)',
    description:
      'At most 5 failed logins per client address in 15 minutes, then 429 with Retry-After.',
    body: loginBodySchema,
    // The login limit answers before the body is read.
    validateInHandler: true,
    response: z.object({
      user: z.object({ name: z.string(), role: roleSchema }),
      expiresAt: timeOut,
      token: z.string().optional().describe('with bearer: true'),
    }),
    errors: {
      400: 'the body is wrong',
      401: 'wrong user name or password (the same answer for both)',
      429: 'too many failed logins from this address',
    },
  }),
  logout: defineRoute({
    method: 'POST',
    path: '/api/auth/logout',
    access: STAFF,
    summary: 'End this session',
    status: 204,
    response: z.undefined(),
    responseDescription: 'signed out; the cookie is cleared',
    errors: { 401: 'nobody signed in' },
  }),
  me: defineRoute({
    method: 'GET',
    path: '/api/auth/me',
    // A station link too: the station page asks which station it is bound to.
    access: [...ANYONE_SIGNED_IN, 'station'],
    summary: 'Who holds this credential',
    response: whoAmISchema,
    errors: { 401: 'nobody signed in' },
  }),
  users: defineRoute({
    method: 'GET',
    path: '/api/users',
    access: ADMIN,
    summary: 'Every account',
    response: z.array(userSchema),
  }),
  createUser: defineRoute({
    method: 'POST',
    path: '/api/users',
    access: ADMIN,
    summary: 'Create an account; its generated password is in the answer, once',
    body: z.strictObject({ name: userName, role: roleSchema }),
    status: 201,
    response: userSchema.extend({ password: z.string() }),
    errors: { 400: 'the body is wrong', 409: 'the name is taken' },
  }),
  changeUser: defineRoute({
    method: 'PATCH',
    path: '/api/users/:name',
    access: ADMIN,
    summary: 'Change a role, disable or enable, or reset the password (returned once)',
    description:
      "Disabling or a reset ends the user's sessions. The last admin cannot be demoted or disabled.",
    params: z.strictObject({ name: pathIdSchema }),
    body: z.strictObject({
      role: roleSchema.optional(),
      disabled: z.boolean().optional(),
      /** true: a new generated password, returned once; the user's sessions end. */
      resetPassword: z.boolean().optional(),
    }),
    response: userSchema.extend({ password: z.string().optional() }),
    errors: { 400: 'the body is wrong', 404: 'no such user', 409: 'it would leave no admin' },
  }),
};

const tokenRoutes = (kind: 'kiosk' | 'customer' | 'station') => {
  const base = `/api/${kind}-tokens`;
  return {
    list: defineRoute({
      method: 'GET',
      path: base,
      access: MANAGERS,
      summary: `Every ${kind} link (never the token itself)`,
      response: z.array(linkTokenSchema),
    }),
    revoke: defineRoute({
      method: 'DELETE',
      path: `${base}/:id`,
      access: MANAGERS,
      summary: `Revoke a ${kind} link (at once, for screens already connected on their next request)`,
      params: numericIdParams,
      response: linkTokenSchema,
      responseDescription: 'the revoked link',
      errors: { 404: 'no such link' },
    }),
  };
};

export const kioskBodySchema = z.strictObject({ label });
export const customerTokenBodySchema = z.strictObject({
  /** The customer as work orders name it (`customer` column of the ERP export). */
  customer: z.string().trim().min(1).max(200).describe('as the work orders name the customer'),
  label: label.optional(),
  expiresAt: isoTimeSchema.optional(),
});

export const stationTokenBodySchema = z.strictObject({
  /** A station of the plant (a machine, or one of `stations.list`). */
  station: z.string().min(1).max(64),
  label: label.optional(),
});

export const linkTokenRoutes = {
  kiosk: {
    ...tokenRoutes('kiosk'),
    create: defineRoute({
      method: 'POST',
      path: '/api/kiosk-tokens',
      access: MANAGERS,
      summary: 'A kiosk link for a wall TV: read-only boards; the token is in the answer, once',
      body: kioskBodySchema,
      status: 201,
      response: linkTokenSchema.extend(created),
      responseDescription: 'the link, `token` and `path` (/#kiosk=<token>)',
      errors: { 400: 'the body is wrong' },
    }),
  },
  customer: {
    ...tokenRoutes('customer'),
    create: defineRoute({
      method: 'POST',
      path: '/api/customer-tokens',
      access: MANAGERS,
      summary:
        "A customer's tracking link (that customer's orders, read-only); the token is in the answer, once",
      body: customerTokenBodySchema,
      status: 201,
      response: linkTokenSchema.extend(created),
      responseDescription: 'the link, `token` and `path` (/track#<token>)',
      errors: { 400: 'the body is wrong' },
    }),
  },
  station: {
    ...tokenRoutes('station'),
    create: defineRoute({
      method: 'POST',
      path: '/api/station-tokens',
      access: MANAGERS,
      summary:
        "A station link for a shared tablet: that one station's routes only; the token is in the answer, once",
      body: stationTokenBodySchema,
      status: 201,
      response: linkTokenSchema.extend(created),
      responseDescription: 'the link, `token` and `path` (/station/<id>#station=<token>)',
      errors: { 400: 'the body is wrong', 404: 'no such station' },
    }),
  },
};
