/**
 * Typed GETs of ingest's routes (issue 16, docs/architecture.md "Conventions" 3): the route's contract from
 * protocol/src/api/ gives the path, the query's and path parameters' types and the answer's
 * type. Answers are typed only: they are not validated again in the browser (the server
 * serialises them from the same schemas), which keeps zod's checks out of the wall screens.
 */
import type { ApiRequest, ApiResponse, ApiRoute, HasParams } from '@takt/protocol/api';
import { apiFetch } from './credentials';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** In a polled request's query, the time of each poll (a window that ends now). */
export const NOW = '{now}';

type Loose = { params?: Record<string, unknown>; query?: Record<string, unknown> };

/** The URL of a route for a request: `:id` filled in, the query encoded (`{now}` kept). */
export function apiPath<T extends ApiRoute>(route: T, request: ApiRequest<T>): string {
  const { params = {}, query = {} } = request as Loose;
  const path = route.path.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(String(params[name])),
  );
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      value === NOW
        ? `${encodeURIComponent(key)}=${NOW}`
        : `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`,
    );
  return pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
}

/** GET a JSON URL; a non-2xx answer throws with the server's message and status. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(url, signal ? { signal } : {});
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new ApiError(body.message ?? `HTTP ${response.status}`, response.status);
  }
  return (await response.json()) as T;
}

/** GET a route by its contract; the answer is typed by the contract's response schema. */
export function apiGet<T extends ApiRoute>(
  route: T,
  ...[request, signal]: HasParams<T> extends true
    ? [request: ApiRequest<T>, signal?: AbortSignal]
    : [request?: ApiRequest<T>, signal?: AbortSignal]
): Promise<ApiResponse<T>> {
  return getJson<ApiResponse<T>>(apiPath(route, (request ?? {}) as ApiRequest<T>), signal);
}
