// Cancellation errors shared by the engine's workers (compiles, off-thread parses).

export function abortError(message = 'Cancelled'): Error {
  return new DOMException(message, 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'AbortError';
}
