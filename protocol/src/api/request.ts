import type { z } from 'zod';
import type { ApiRoute } from './contract';

/**
 * The schemas a route was declared with. Read from ApiRoute's type arguments rather than
 * `T['query']`: an optional property's type includes `undefined`, which no zod type extends.
 */
type ParamsOf<T> = T extends ApiRoute<infer P, z.ZodType | undefined> ? P : undefined;
type QueryOf<T> = T extends ApiRoute<z.ZodType | undefined, infer Q> ? Q : undefined;

/** A route's path parameters, as the caller writes them (`{ id: 'm1' }` for `:id`). */
export type ApiParams<T extends ApiRoute> =
  ParamsOf<T> extends z.ZodType ? z.input<ParamsOf<T>> : never;

/** A route's query, as the caller writes it. */
export type ApiQueryIn<T extends ApiRoute> =
  QueryOf<T> extends z.ZodType ? z.input<QueryOf<T>> : never;

/** What a caller gives to reach a route: its path parameters and its query, typed by the contract. */
export type ApiRequest<T extends ApiRoute> = (ParamsOf<T> extends z.ZodType
  ? { params: ApiParams<T> }
  : { params?: never }) &
  (QueryOf<T> extends z.ZodType ? { query?: ApiQueryIn<T> } : { query?: never });

/** Whether a route has path parameters (then a request must be given). */
export type HasParams<T extends ApiRoute> = ParamsOf<T> extends z.ZodType ? true : false;
