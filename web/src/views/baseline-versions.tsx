// A baseline's history, newest first: each version's cause, who made it and why, the builds that taught it
// and how many entries it added and removed. Picking one version shows what it changed; picking two compares them.
import { useState } from 'react';
import type { BaselineVersionInfo } from '../api-types';
import { pickVersion } from '../baseline-model';
import { VersionCausePill } from '../pills';
import { Link } from '../link';
import { paths } from '../routes';
import { TimeAgo } from '../time-ago';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { VersionDiff } from './baseline-version-diff';

const CAP = 50;
const BUILDS_SHOWN = 3;

export function BaselineVersions({ pipeline, versions, refresh }: { pipeline: string; versions: BaselineVersionInfo[]; refresh: number }) {
  // null until someone picks: then the newest version against the one before it.
  const [picked, setPicked] = useState<number[] | null>(null);
  const [cap, setCap] = useState(CAP);
  const newest = versions[0]?.version;
  const selection = picked ?? (newest !== undefined ? [newest] : []);
  return (
    <section className="panel" data-testid="baseline-versions">
      <h2>Versions <span className="count">{versions.length}</span></h2>
      {versions.length === 0 ? <div className="muted pad">No version yet: the first learning build (or an operator's approval) makes version 1.</div> : (
        <>
          <p className="hint">Pick one version to see what it changed, or two to compare them.</p>
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr><th className="cb-cell" /><th className="r">version</th><th>when</th><th>cause</th><th>by</th><th>reason</th><th>builds</th><th className="r">changes</th></tr>
              </thead>
              <tbody>
                {versions.slice(0, cap).map((v) => (
                  <tr key={v.version} data-testid="baseline-version" data-version={v.version} className={selection.includes(v.version) ? 'row-picked' : undefined}>
                    <td className="cb-cell">
                      <input type="checkbox" data-testid="version-pick" aria-label={`pick version ${v.version}`} checked={selection.includes(v.version)}
                        onChange={() => setPicked(pickVersion(selection, v.version))} />
                    </td>
                    <td className="r num">v{v.version}</td>
                    <td className="nowrap"><TimeAgo iso={v.at} /></td>
                    <td><VersionCausePill cause={v.cause} /></td>
                    <td className="mono" data-testid="version-actor">{oneLine(v.actor, 64)}</td>
                    <td className="wrap">{v.reason ? <TruncatedText text={v.reason} max={80} /> : <span className="muted">—</span>}</td>
                    <td><VersionBuilds builds={v.builds} /></td>
                    <td className="r nowrap num">
                      <span className="diff-plus">+{v.added.length}</span> <span className="diff-minus">−{v.removed.length}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {versions.length > cap && (
            <div className="list-foot"><span className="muted">{versions.length - cap} older versions</span><button type="button" onClick={() => setCap(versions.length)}>Show all</button></div>
          )}
          <VersionDiff pipeline={pipeline} selection={selection} refresh={refresh} />
        </>
      )}
    </section>
  );
}

function VersionBuilds({ builds }: { builds: string[] }) {
  const [all, setAll] = useState(false);
  if (builds.length === 0) return <span className="muted">—</span>;
  const shown = all ? builds : builds.slice(0, BUILDS_SHOWN);
  return (
    <span className="version-builds">
      {shown.map((b) => <Link key={b} to={paths.build(b)} testId="version-build" className="mono" title={oneLine(b, 200)}>{oneLine(b, 24)}</Link>)}
      {!all && builds.length > BUILDS_SHOWN && <button type="button" className="link-button" onClick={() => setAll(true)}>+{builds.length - BUILDS_SHOWN} more</button>}
    </span>
  );
}
