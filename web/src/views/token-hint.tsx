// Says why action buttons are disabled: no operator token, or one the collector rejected.
import { canAct, TOKEN_HINT, useOperator } from '../operator';

export function TokenHint() {
  const op = useOperator();
  if (canAct(op)) return null;
  return (
    <div className="hint token-hint">
      {op.token ? 'The collector rejected the operator token, so actions are disabled. ' : 'Actions need the operator token. '}
      {TOKEN_HINT}
    </div>
  );
}
