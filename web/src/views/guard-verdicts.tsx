// What the DNS guard decided for this pipeline's builds, newest first: names it refused (encoded data, or
// new names in enforce mode) and new names it let through in audit mode, with the build and alert they landed in.
import { useEffect } from 'react';
import type { GuardVerdictList } from '../api-types';
import { encodeSegment, paths } from '../routes';
import { useApi } from '../use-api';
import { Link } from '../link';
import { GuardVerdictPill } from '../pills';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { ErrorState, Loading } from '../states';

const LIMIT = 100;

export function GuardVerdicts({ pipeline, refresh }: { pipeline: string; refresh: number }) {
  const { state, reload } = useApi<GuardVerdictList>(`/api/pipelines/${encodeSegment(pipeline)}/guard-verdicts?limit=${LIMIT}`);
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh, reload]);

  const verdicts = state.status === 'ok' && Array.isArray(state.data.verdicts) ? state.data.verdicts : [];
  return (
    <section className="panel" data-testid="guard-verdicts">
      <h2>DNS guard <span className="count">{state.status === 'ok' ? (verdicts.length >= LIMIT ? `latest ${LIMIT}` : verdicts.length) : ''}</span></h2>
      {state.status === 'loading' && <Loading what="Loading guard verdicts" />}
      {state.status === 'error' && <ErrorState error={state.error} onRetry={reload} what="guard verdicts" />}
      {state.status === 'ok' && verdicts.length === 0 && (
        <div className="muted pad">No verdicts from a DNS guard for this pipeline. A guard serving the <code>guard</code> allowlist reports what it refuses here.</div>
      )}
      {verdicts.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead><tr><th>when</th><th>verdict</th><th>qname</th><th className="r">qtype</th><th>client</th><th>guard</th><th>build</th><th>alert</th></tr></thead>
            <tbody>
              {verdicts.map((v, i) => (
                <tr key={i} data-testid="guard-verdict" data-verdict={v.verdict} className={v.verdict === 'forwarded_new' ? undefined : 'row-unknown'}>
                  <td className="nowrap"><TimeAgo iso={v.at} /></td>
                  <td><GuardVerdictPill verdict={String(v.verdict)} /></td>
                  <td className="mono wrap"><TruncatedText text={String(v.qname)} max={100} /></td>
                  <td className="r num">{Number(v.qtype)}</td>
                  <td className="mono">{oneLine(String(v.client), 64)}</td>
                  <td className="mono">{oneLine(String(v.guard), 40)}</td>
                  <td>{v.buildId ? <Link to={paths.build(v.buildId)}>build</Link> : <span className="muted">—</span>}</td>
                  <td>{v.alertId ? <Link to={paths.alert(v.alertId)}>alert</Link> : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
