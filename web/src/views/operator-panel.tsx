// The header's Operator settings: token and actor name, and whether the collector accepts the token.
import { useState } from 'react';
import { saveOperator, useOperator, type OperatorState } from '../operator';
import { TokenWhere } from './token-hint';
import { TruncatedText } from '../truncated-text';

function stateText(op: OperatorState): { text: string; cls: string } {
  if (op.sessionStatus === 'checking') return { text: 'checking…', cls: 'op-checking' };
  if (!op.token) return { text: 'no token: read-only', cls: 'op-none' };
  if (op.sessionStatus === 'error') return { text: `token set, not verified (${op.sessionError})`, cls: 'op-unknown' };
  if (op.session?.operator) return { text: 'token accepted: operator', cls: 'op-ok' };
  return { text: 'token rejected by the collector', cls: 'op-bad' };
}

export function OperatorPanel() {
  const op = useOperator();
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState(op.token);
  const [actor, setActor] = useState(op.actor);
  const st = stateText(op);

  const toggle = () => {
    if (!open) {
      setToken(op.token);
      setActor(op.actor);
    }
    setOpen(!open);
  };

  return (
    <div className="operator">
      <button type="button" className={`operator-toggle ${st.cls}`} data-testid="operator-toggle" onClick={toggle} aria-expanded={open}>
        Operator: <TruncatedText text={op.actor} max={24} /> <span className="op-mark" aria-hidden="true">{op.session?.operator ? '✓' : op.token ? '?' : '–'}</span>
      </button>
      {open && (
        <form
          className="operator-panel"
          onSubmit={(e) => {
            e.preventDefault();
            void saveOperator(token, actor);
          }}
        >
          <label>
            Operator token
            <input type="password" data-testid="token-input" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
          <label>
            Actor name (recorded with your actions)
            <input type="text" data-testid="actor-input" value={actor} maxLength={64} onChange={(e) => setActor(e.target.value)} />
          </label>
          <div className="operator-actions">
            <button type="submit" data-testid="token-save">Save</button>
            <button type="button" onClick={() => { setToken(''); void saveOperator('', actor); }}>Forget token</button>
            <button type="button" onClick={() => setOpen(false)}>Close</button>
          </div>
          <div className={`operator-state ${st.cls}`} data-testid="operator-state">{st.text}</div>
          {op.session?.readsNeedToken && <div className="hint">This collector listens beyond loopback: reads need the token too.</div>}
          <p className="hint"><TokenWhere /></p>
        </form>
      )}
    </div>
  );
}
