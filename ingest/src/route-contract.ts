/**
 * Routes declared by their contract in protocol/src/api/ (issue 16, docs/architecture.md "Conventions" 3 and 5): the
 * request schemas validate before the handler (a failure is today's 400, http/bad-request.ts),
 * the answer's schema types the handler's return, and the access comes with it.
 */
import type { ApiRoute } from '@takt/protocol';
import type {
  FastifyInstance,
  FastifySchemaCompiler,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { badRequest } from './http/bad-request';

/** Types a route's request from its zod schemas and its answer from the response schema. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

export type ContractApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** zod schemas check requests: the parsed value (defaults, numbers) replaces the raw one. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    // fastify hands null for a missing body; the schemas were written for undefined.
    const parsed = schema.safeParse(httpPart === 'body' && data === null ? undefined : data);
    return parsed.success ? { value: parsed.data } : { error: badRequest(parsed.error) };
  };

/** Answers are written as before the contracts: JSON.stringify, nothing dropped or added. */
export const jsonSerializerCompiler = () => (data: unknown) => JSON.stringify(data);

/** `schema` and `config` of a route declared by its contract. */
export function routeOf<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType,
>(route: ApiRoute<P, Q, B, R>) {
  const check = !route.validateInHandler;
  const schema: Record<string, unknown> = { response: { [route.status ?? 200]: route.response } };
  if (check && route.params) schema.params = route.params;
  if (check && route.query) schema.querystring = route.query;
  if (check && route.body) schema.body = route.body;
  return {
    // Keyed by every main status a contract may name, so `reply.code(201).send(…)` is typed too.
    schema: schema as {
      params: P;
      querystring: Q;
      body: B;
      response: Record<NonNullable<ApiRoute['status']>, R>;
    },
    config: { access: route.access, contract: `${route.method} ${route.path}` },
  };
}
