// Runs one operator action at a time for a view: busy while it runs, its error kept for display,
// and the answer handed back so the view can say what happened and fetch itself again.
import { useCallback, useState } from 'react';
import { asFailure, postAction, type ApiFailure } from './api';

export function useAction(): {
  busy: boolean;
  error: ApiFailure | null;
  clearError: () => void;
  run: <T>(path: string, body: Record<string, unknown>) => Promise<T | null>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const run = useCallback(async <T,>(path: string, body: Record<string, unknown>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      return await postAction<T>(path, body);
    } catch (err) {
      setError(asFailure(err));
      return null;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { busy, error, clearError, run };
}
