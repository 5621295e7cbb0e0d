// A build's network activity: every DNS name it asked (with baseline knowledge) and every connection it made.
import { useState, type ReactNode } from 'react';
import type { ConnectRow, DnsQueryRow } from '../api-types';
import { TruncatedText } from '../truncated-text';
import { TimeAgo } from '../time-ago';

const CAP = 300;

function Capped<T>({ rows, render }: { rows: T[]; render: (rows: T[]) => ReactNode }) {
  const [cap, setCap] = useState(CAP);
  return (
    <>
      {render(rows.slice(0, cap))}
      {rows.length > cap && (
        <div className="list-foot">
          <span className="muted">{rows.length - cap} more rows</span>
          <button type="button" onClick={() => setCap(rows.length)}>Show all</button>
        </div>
      )}
    </>
  );
}

export function DnsTable({ rows }: { rows: DnsQueryRow[] }) {
  if (rows.length === 0) return <div className="muted pad" data-testid="dns-table">No DNS queries recorded.</div>;
  return (
    <Capped rows={rows} render={(shown) => (
      <div className="table-wrap">
        <table className="grid" data-testid="dns-table">
          <thead>
            <tr><th>qname</th><th>type</th><th>registrable domain</th><th className="r">count</th><th>baseline</th><th className="r">pid</th><th>server</th><th>first seen</th></tr>
          </thead>
          <tbody>
            {shown.map((d, i) => (
              <tr key={i} className={d.baselineKnown ? '' : 'row-unknown'}>
                <td className="mono wrap"><TruncatedText text={d.qname} />{d.partial && <span className="badge" title="Only part of the query was captured">partial</span>}</td>
                <td className="mono">{d.qtype}</td>
                <td className="mono wrap">{d.domain === null ? <span className="muted">—</span> : <TruncatedText text={d.domain} max={60} />}</td>
                <td className="r num">{d.count}</td>
                <td>{d.baselineKnown ? <span className="known-yes">known</span> : <span className="known-no">new</span>}</td>
                <td className="r num">{d.firstPid}</td>
                <td className="mono">{d.server}:{d.port}</td>
                <td className="nowrap"><TimeAgo iso={d.firstSeenAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )} />
  );
}

export function ConnectsTable({ rows }: { rows: ConnectRow[] }) {
  if (rows.length === 0) return <div className="muted pad" data-testid="connects-table">No connections recorded.</div>;
  return (
    <Capped rows={rows} render={(shown) => (
      <div className="table-wrap">
        <table className="grid" data-testid="connects-table">
          <thead>
            <tr><th>address</th><th className="r">port</th><th>protocol</th><th>family</th><th>egress</th><th className="r">count</th><th className="r">pid</th><th>first seen</th></tr>
          </thead>
          <tbody>
            {shown.map((c, i) => (
              <tr key={i}>
                <td className="mono wrap"><TruncatedText text={c.address} max={60} /></td>
                <td className="r num">{c.port}</td>
                <td className="mono">{c.protocol}</td>
                <td className="mono">{c.family}</td>
                <td>{c.external ? <span className="known-no">external</span> : <span className="muted">internal</span>}</td>
                <td className="r num">{c.count}</td>
                <td className="r num">{c.firstPid}</td>
                <td className="nowrap"><TimeAgo iso={c.firstSeenAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )} />
  );
}
