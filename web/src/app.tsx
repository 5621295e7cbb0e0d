// The console's frame: header with navigation, live indicator and operator panel, the live banner, and the routed view.
import { useEffect } from 'react';
import { Link } from './link';
import { useLocation } from './router';
import { matchRoute, paths, sectionOf, type Route } from './routes';
import { LiveBanner, LiveIndicator } from './views/live-indicator';
import { OperatorPanel } from './views/operator-panel';
import { BuildsView } from './views/builds-view';
import { BuildView } from './views/build-view';
import { AlertsView } from './views/alerts-view';
import { AlertView } from './views/alert-view';
import { IncidentsView } from './views/incidents-view';
import { IncidentView } from './views/incident-view';
import { PipelinesView } from './views/pipelines-view';
import { PipelineView } from './views/pipeline-view';
import { DrillsView } from './views/drills-view';

const NAV = [
  { section: 'builds', label: 'Builds', to: paths.builds() },
  { section: 'alerts', label: 'Alerts', to: paths.alerts() },
  { section: 'incidents', label: 'Incidents', to: paths.incidents() },
  { section: 'pipelines', label: 'Pipelines', to: paths.pipelines() },
  { section: 'drills', label: 'Drills', to: paths.drills() },
] as const;

const TITLES: Record<Route['view'], string> = {
  builds: 'Builds', build: 'Build', alerts: 'Alerts', alert: 'Alert', incidents: 'Incidents', incident: 'Incident',
  pipelines: 'Pipelines', pipeline: 'Pipeline', drills: 'Drills', notFound: 'Not found',
};

export function App() {
  const { pathname } = useLocation();
  const route = matchRoute(pathname);
  const section = sectionOf(route);

  useEffect(() => {
    document.title = `${TITLES[route.view]} · telltale`;
  }, [route.view]);

  return (
    <div className="app">
      <header className="topbar">
        <Link to={paths.builds()} className="brand">telltale</Link>
        <nav className="nav">
          {NAV.map((n) => (
            <Link key={n.section} to={n.to} testId={`nav-${n.section}`} className={section === n.section ? 'nav-link active' : 'nav-link'}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-spacer" />
        <LiveIndicator />
        <OperatorPanel />
      </header>
      <LiveBanner />
      <main className="content">
        <RouteView route={route} />
      </main>
    </div>
  );
}

function RouteView({ route }: { route: Route }) {
  switch (route.view) {
    case 'builds': return <BuildsView />;
    case 'build': return <BuildView key={route.id} id={route.id} />;
    case 'alerts': return <AlertsView />;
    case 'alert': return <AlertView key={route.id} id={route.id} />;
    case 'incidents': return <IncidentsView />;
    case 'incident': return <IncidentView key={route.id} id={route.id} />;
    case 'pipelines': return <PipelinesView />;
    case 'pipeline': return <PipelineView key={route.id} name={route.id} />;
    case 'drills': return <DrillsView />;
    default:
      return (
        <div className="state state-error" data-testid="state-error">
          <div className="state-error-title">Not found</div>
          <div>This page does not exist. <Link to={paths.builds()}>Go to builds</Link></div>
        </div>
      );
  }
}
