// A plain (non-virtual) table of a few alerts: a build's alerts, an incident's alerts.
import type { Alert } from '../api-types';
import { Link } from '../link';
import { navigate } from '../router';
import { paths } from '../routes';
import { AlertStatusPill, SeverityPill } from '../pills';
import { TimeAgo } from '../time-ago';
import { alertPackage, alertTarget } from '../alert-target';
import { alertKindLabel } from '../alert-kinds';
import { oneLine, showControls } from '../visible-text';

export function AlertsTable({ alerts, showPipeline = false }: { alerts: Alert[]; showPipeline?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="grid">
        <thead>
          <tr><th>severity</th><th>kind</th><th>status</th>{showPipeline && <th>pipeline</th>}<th>package</th><th>target</th><th className="r">pid</th><th>raised</th></tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id} className="row-link" data-alert-id={a.id}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest('a, button')) return;
                navigate(paths.alert(a.id));
              }}>
              <td><SeverityPill severity={a.severity} /></td>
              <td className="mono" title={alertKindLabel(a.kind)}><Link to={paths.alert(a.id)}>{oneLine(a.kind, 40)}</Link></td>
              <td><AlertStatusPill status={a.status} /></td>
              {showPipeline && <td className="mono cell-clip" title={showControls(a.pipeline)}>{oneLine(a.pipeline, 40)}</td>}
              <td className="mono cell-clip" title={showControls(alertPackage(a))} data-testid="alert-package">{alertPackage(a) ? oneLine(alertPackage(a), 60) : <span className="muted">—</span>}</td>
              <td className="mono cell-clip" title={showControls(alertTarget(a))}>{oneLine(alertTarget(a), 90)}</td>
              <td className="r num">{a.pid}</td>
              <td className="nowrap"><TimeAgo iso={a.createdAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
