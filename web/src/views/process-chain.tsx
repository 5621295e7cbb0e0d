// The chain of processes behind an alert: the build's root first, the alerting process last, each with
// exe, full argv and cwd.
import type { ChainProcess } from '../api-types';
import { ArgvText } from '../argv-text';
import { TruncatedText } from '../truncated-text';

export function ProcessChain({ chain, alertPid }: { chain: ChainProcess[]; alertPid: number }) {
  if (chain.length === 0) return <div className="muted pad" data-testid="alert-chain">No process chain recorded (pid {alertPid}).</div>;
  return (
    <ol className="chain" data-testid="alert-chain">
      {chain.map((p, i) => {
        const last = i === chain.length - 1;
        return (
          <li key={i} data-testid="chain-process" data-pid={p.pid} className={last ? 'chain-last' : ''}>
            <div className="chain-head">
              <span className="chain-step">{i === 0 ? 'root' : last ? 'alerting' : `#${i}`}</span>
              <span className="mono chain-exe"><TruncatedText text={p.exe} /></span>
              <span className="muted">pid <span className="num">{p.pid}</span></span>
            </div>
            <div className="chain-row"><span className="chain-key">argv</span><ArgvText argv={p.argv} first={8} maxArg={200} /></div>
            <div className="chain-row"><span className="chain-key">cwd</span>{p.cwd === '' ? <span className="muted">(not recorded)</span> : <span className="mono"><TruncatedText text={p.cwd} /></span>}</div>
          </li>
        );
      })}
    </ol>
  );
}
