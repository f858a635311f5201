import { isoTimeSchema } from '@takt/protocol';
import { z } from 'zod';
import { MANAGERS, type Principal } from '../auth/access';
import { dropSockets, tokenHolder } from '../auth/sockets';
import { createLinkToken, listLinkTokens, revokeLinkToken } from '../auth/store';
import { INGEST_ERRORS, IngestError } from '../errors';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

const label = z.string().trim().min(1).max(100);
const kioskBody = z.strictObject({ label });
const customerBody = z.strictObject({
  /** The customer as work orders name it (`customer` column of the ERP export). */
  customer: z.string().trim().min(1).max(200),
  label: label.optional(),
  expiresAt: isoTimeSchema.optional(),
});
const idParam = z.strictObject({ id: z.coerce.number().int().positive() });

const createdBy = (p: Principal | undefined) => (p?.kind === 'user' ? p.name : null);

/**
 * Kiosk links (a wall TV: read-only boards) and customer links (read-only, that
 * customer's orders): created by admins and managers, the token shown once, revocable.
 * The page URLs carry the token in the fragment (`/#kiosk=…`, `/track#…`): a fragment is
 * never sent to a server, so it stays out of access logs and proxies.
 */
export const linkTokensPlugin: IngestPlugin = (app, { pool, io, log }) => {
  for (const kind of ['kiosk', 'customer'] as const) {
    const base = `/api/${kind}-tokens`;
    app.get(base, { config: { access: MANAGERS } }, async () => listLinkTokens(pool, kind));

    app.post(base, { config: { access: MANAGERS } }, async (request, reply) => {
      let created;
      if (kind === 'kiosk') {
        const body = kioskBody.safeParse(request.body);
        if (!body.success) throw badRequest(body.error);
        created = await createLinkToken(pool, {
          kind,
          label: body.data.label,
          createdBy: createdBy(request.principal),
        });
      } else {
        const body = customerBody.safeParse(request.body);
        if (!body.success) throw badRequest(body.error);
        created = await createLinkToken(pool, {
          kind,
          label: body.data.label ?? body.data.customer,
          customer: body.data.customer,
          createdBy: createdBy(request.principal),
          expiresAt: body.data.expiresAt === undefined ? undefined : new Date(body.data.expiresAt),
        });
      }
      log.info({ kind, id: created.record.id, by: created.record.createdBy }, 'link token created');
      const path = kind === 'kiosk' ? `/#kiosk=${created.token}` : `/track#${created.token}`;
      return reply.code(201).send({ ...created.record, token: created.token, path });
    });

    app.delete<{ Params: Record<string, string> }>(
      `${base}/:id`,
      { config: { access: MANAGERS } },
      async (request) => {
        const params = idParam.safeParse(request.params);
        if (!params.success) throw badRequest(params.error);
        const revoked = await revokeLinkToken(pool, kind, params.data.id);
        if (!revoked)
          throw new IngestError(
            'INGEST_ERR_NOT_FOUND',
            INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`${kind} token ${params.data.id}`),
            404,
          );
        const dropped = dropSockets(io, tokenHolder(revoked.id));
        log.info(
          { kind, id: revoked.id, by: createdBy(request.principal), dropped },
          'link token revoked',
        );
        return revoked;
      },
    );
  }
};
