// An action's failure as the collector put it: its code and message, as text.
import type { ApiFailure } from './api';

export function ActionError({ error, testId }: { error: ApiFailure | null; testId?: string }) {
  if (!error) return null;
  return <div className="error-inline" role="alert" data-testid={testId}><code>{error.code}</code> {error.message}</div>;
}
