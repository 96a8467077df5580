// The write fence: once this replica may no longer lead, nothing it still has in flight may
// write. controller-runtime gets there by exiting the process the moment the lease is lost; we
// also close a fence that every Kubernetes and AWS client checks before a write and whose
// signal aborts calls in flight, so no write can land after a standby could have taken over.

/** Thrown (or rejected) for a write attempted after the fence closed. */
export class FencedError extends Error {
  constructor(what: string, reason: unknown) {
    super(`${what} refused: ${reason instanceof Error ? reason.message : 'fence closed'}`);
    this.name = 'FencedError';
  }
}

export class WriteFence {
  private readonly controller = new AbortController();

  /** Aborted when the fence closes; pass it to calls so those in flight stop too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Closes the fence for good (leadership lost). */
  close(reason: string): void {
    if (!this.closed) this.controller.abort(new Error(reason));
  }

  /** Throws FencedError once closed. */
  check(what: string): void {
    if (this.closed) throw new FencedError(what, this.controller.signal.reason);
  }
}
