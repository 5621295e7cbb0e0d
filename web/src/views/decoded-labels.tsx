// The alert's DNS name taken apart label by label, the way encoded_dns_label judged it; subdomain labels
// (where data hides) stand out.
import type { DecodedQuery } from '../api-types';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');

export function DecodedLabels({ decoded }: { decoded: DecodedQuery }) {
  return (
    <div className="table-wrap">
      <table className="grid decoded" data-testid="decoded-labels">
        <thead>
          <tr>
            <th>label</th><th>role</th><th className="r">length</th><th>alphabet</th>
            <th className="r" title="Shannon entropy, bits per character">entropy</th>
            <th className="r" title="What uniformly random text of this length and alphabet would have">expected</th>
            <th>randomness</th><th className="r" title="Estimated information carried">bits</th>
          </tr>
        </thead>
        <tbody>
          {decoded.labels.map((l, i) => (
            <tr key={i} data-testid="decoded-label" className={l.role === 'subdomain' ? 'label-sub' : 'label-rest'}>
              <td className="mono wrap label-text"><TruncatedText text={l.text} max={80} /></td>
              <td><span className={`role role-${l.role === 'subdomain' ? 'sub' : l.role === 'domain' ? 'dom' : 'suf'}`}>{oneLine(l.role, 12)}</span></td>
              <td className="r num">{l.length}</td>
              <td className="mono">{oneLine(l.alphabet, 24)} <span className="muted">({l.alphabetSize})</span></td>
              <td className="r num">{f2(l.entropy)}</td>
              <td className="r num muted">{f2(l.expectedEntropy)}</td>
              <td className="randomness">
                <meter min={0} max={1} low={0.5} high={0.8} optimum={0} value={Math.max(0, Math.min(1, l.randomness))} />
                <span className="num">{f2(l.randomness)}</span>
              </td>
              <td className="r num">{Math.round(l.bits)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
