// The three states every view has besides its content: loading, empty (with what to do), and error (with Retry).
import type { ReactNode } from 'react';
import type { ApiFailure } from './api';
import { TokenWhere } from './views/token-hint';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return <div className="state state-loading" data-testid="state-loading" role="status">{what}…</div>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty" data-testid="state-empty">{children}</div>;
}

export function ErrorState({ error, onRetry, what }: { error: ApiFailure; onRetry?: () => void; what?: string }) {
  const notFound = error.status === 404;
  return (
    <div className="state state-error" data-testid="state-error" role="alert">
      <div className="state-error-title">
        {notFound ? `Not found${what ? `: no ${what} with this id` : ''}` : `Could not load${what ? ` the ${what}` : ''}`}
      </div>
      <div className="state-error-detail">
        <code>{error.code}</code> {error.message}
      </div>
      {error.status === 401 && <div className="hint"><TokenWhere /></div>}
      {onRetry && !notFound && <button type="button" onClick={onRetry}>Retry</button>}
    </div>
  );
}
