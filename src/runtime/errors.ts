// Error kinds the reconcile loop treats differently. Everything not listed here is retried
// with backoff, which is the safe default for a level-triggered controller.

/**
 * A failure that retrying cannot fix (invalid spec, missing permission the user must grant).
 * The controller records it and does not requeue; the next change to the object will.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** A non-2xx answer from the Kubernetes API, with the `Status` body it sent when there was one. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;
  readonly body: unknown;

  constructor(statusCode: number, message: string, reason?: string, body?: unknown) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.body = body;
  }
}

/** The HTTP status code behind an error from our client or from @kubernetes/client-node. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { statusCode?: unknown; code?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  // client-node's ApiException carries the status as a numeric `code`.
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
/** 409: the optimistic lock (resourceVersion) lost a race, or the object already exists. */
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
/** 410: the resourceVersion is too old for a watch or a paginated list. */
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;

export function isTerminal(err: unknown): err is TerminalError {
  return err instanceof TerminalError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
