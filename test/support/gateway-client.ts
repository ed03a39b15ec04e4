/** Posts GraphQL to the gateway over HTTP, as a dashboard would. */
export interface GatewayResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
  extensions?: { subgraphRequests?: number };
}

export async function gql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<GatewayResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(120_000),
  });
  return (await res.json()) as GatewayResponse<T>;
}

/** The data of a response that must have succeeded; fails with the errors otherwise. */
export async function gqlData<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const body = await gql<T>(url, query, variables);
  if (body.errors?.length || !body.data) throw new Error(`gateway errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}
