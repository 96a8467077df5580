// The downstream HTTP call each message is for. A non-2xx answer is an error carrying the
// status, so the breaker's errorFilter can tell the caller's fault (4xx: this message is
// bad) from the downstream's (5xx, 429, timeouts: the dependency is struggling).

export class DownstreamError extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`downstream answered HTTP ${status}`);
    this.name = 'DownstreamError';
    this.status = status;
  }
}

/** True for errors that say "this message is bad", which must not open the breaker. */
export function isClientError(error: unknown): boolean {
  return error instanceof DownstreamError && error.status >= 400 && error.status < 500 && error.status !== 429;
}

export interface DownstreamCall {
  url: string;
  timeoutMs: number;
}

/** POSTs the message body to the downstream; resolves on 2xx. */
export async function callDownstream(call: DownstreamCall, messageId: string, body: string): Promise<void> {
  const res = await fetch(call.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-message-id': messageId },
    body,
    signal: AbortSignal.timeout(call.timeoutMs),
  });
  await res.arrayBuffer(); // drain, so the connection is reused
  if (!res.ok) throw new DownstreamError(res.status);
}
