import { api } from '@takt/protocol';
import { dropSockets, userHolder } from '../auth/sockets';
import { generatePassword } from '../auth/secrets';
import { countAdmins, createUser, listUsers, setPassword, updateUser } from '../auth/store';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

const notFound = (name: string) =>
  new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`user "${name}"`),
    404,
  );

/**
 * Accounts, for admins only. Passwords are generated here and shown once (nobody types a
 * weak one, nobody else learns it); only their scrypt hash is stored.
 */
export const usersPlugin: IngestPlugin = (app, { pool, io, log }) => {
  app.get('/api/users', routeOf(api.auth.users), async () => listUsers(pool));

  app.post('/api/users', routeOf(api.auth.createUser), async (request, reply) => {
    const { name, role } = request.body;
    const password = generatePassword();
    const user = await createUser(pool, name, role, password);
    if (!user)
      throw new IngestError(
        'INGEST_ERR_CONFLICT',
        INGEST_ERRORS.INGEST_ERR_CONFLICT(`user "${name}" exists already`),
        409,
      );
    log.info({ user: user.name, role: user.role, by: request.principal?.kind }, 'user created');
    return reply.code(201).send({ ...user, password });
  });

  app.patch('/api/users/:name', routeOf(api.auth.changeUser), async (request) => {
    const { name } = request.params;
    const { role, disabled, resetPassword } = request.body;
    // The last admin cannot lock everybody out (the first-run command would be needed).
    const demotes = (role !== undefined && role !== 'admin') || disabled === true;
    if (demotes) {
      const current = (await listUsers(pool)).find((u) => u.name === name);
      if (current?.role === 'admin' && !current.disabled && (await countAdmins(pool)) <= 1)
        throw new IngestError(
          'INGEST_ERR_CONFLICT',
          INGEST_ERRORS.INGEST_ERR_CONFLICT('the last admin cannot be demoted or disabled'),
          409,
        );
    }
    const user = await updateUser(pool, name, { role, disabled });
    if (!user) throw notFound(name);
    if (user.disabled || resetPassword) dropSockets(io, userHolder(user.id));
    if (!resetPassword) return user;
    const password = generatePassword();
    await setPassword(pool, name, password);
    log.info({ user: name }, 'password reset');
    return { ...user, password };
  });
};
