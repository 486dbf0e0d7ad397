/** The HTTP status of a failed Kubernetes API call (client-node's ApiException.code), if any. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

export const isNotFound = (error: unknown): boolean => apiStatus(error) === 404;

/** The API server's own explanation (Status.message) when it sent one. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      return body.slice(0, 500);
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** Reads an object, turning 404 into undefined: absence is a normal state, not an error. */
export async function readOptional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
