// The console's URL scheme: builds every in-app link from our own patterns and matches paths back to views.

export type Route =
  | { view: 'builds' }
  | { view: 'build'; id: string }
  | { view: 'alerts' }
  | { view: 'alert'; id: string }
  | { view: 'incidents' }
  | { view: 'incident'; id: string }
  | { view: 'pipelines' }
  | { view: 'pipeline'; id: string }
  | { view: 'drills' }
  | { view: 'notFound' };

/**
 * One path segment for an id or name. "." and ".." (even as %2E) are dot-segments that the
 * browser would resolve away, and an empty name would vanish; those get a leading raw ":",
 * which encodeURIComponent never produces, so the mapping stays one-to-one.
 */
export function encodeSegment(id: string): string {
  const e = encodeURIComponent(id);
  return e === '' || e === '.' || e === '..' ? `:${e}` : e;
}

export function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw.startsWith(':') ? raw.slice(1) : raw);
  } catch {
    return null;
  }
}

export const paths = {
  builds: () => '/builds',
  buildsOfPipeline: (pipeline: string) => `/builds?${new URLSearchParams({ pipeline }).toString()}`,
  build: (id: string) => `/builds/${encodeSegment(id)}`,
  alerts: () => '/alerts',
  alert: (id: string) => `/alerts/${encodeSegment(id)}`,
  incidents: () => '/incidents',
  incident: (id: string) => `/incidents/${encodeSegment(id)}`,
  pipelines: () => '/pipelines',
  pipeline: (name: string) => `/pipelines/${encodeSegment(name)}`,
  drills: () => '/drills',
};

const LIST = { builds: 'builds', alerts: 'alerts', incidents: 'incidents', pipelines: 'pipelines' } as const;
const ITEM = { builds: 'build', alerts: 'alert', incidents: 'incident', pipelines: 'pipeline' } as const;

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { view: 'builds' };
  const parts = pathname.replace(/^\/+/, '').replace(/\/$/, '').split('/');
  const head = parts[0] ?? '';
  // Drills have no page of their own: one list, no item.
  if (head === 'drills') return parts.length === 1 ? { view: 'drills' } : { view: 'notFound' };
  if (!Object.hasOwn(LIST, head)) return { view: 'notFound' };
  const section = head as keyof typeof LIST;
  if (parts.length === 1) return { view: LIST[section] };
  if (parts.length === 2) {
    const id = decodeSegment(parts[1] ?? '');
    if (id !== null) return { view: ITEM[section], id };
  }
  return { view: 'notFound' };
}

/** The nav section a route belongs to, for highlighting the header link. */
export function sectionOf(route: Route): 'builds' | 'alerts' | 'incidents' | 'pipelines' | 'drills' | null {
  switch (route.view) {
    case 'builds': case 'build': return 'builds';
    case 'alerts': case 'alert': return 'alerts';
    case 'incidents': case 'incident': return 'incidents';
    case 'pipelines': case 'pipeline': return 'pipelines';
    case 'drills': return 'drills';
    default: return null;
  }
}
