// Says where the operator token comes from, and why action buttons are disabled when it is missing or rejected.
import { canAct, useOperator } from '../operator';

export function TokenWhere() {
  return (
    <>
      The operator token is printed by <code>telltale up</code> when it starts and stored in the file <code>operator-token</code> in
      the collector's data directory. Set it under Operator in the header (or open the console with <code>#token=…</code>).
    </>
  );
}

export function TokenHint() {
  const op = useOperator();
  if (canAct(op)) return null;
  return (
    <div className="hint token-hint">
      {op.token ? 'The collector rejected the operator token, so actions are disabled. ' : 'Actions need the operator token. '}
      <TokenWhere />
    </div>
  );
}
