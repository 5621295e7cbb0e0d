// Time to detect and time to resolve of an incident, from its alerts and its closing time.

export interface IncidentTimes {
  /** Earliest suspicious event among the incident's alerts (µs), null without alerts. */
  firstActivityUs: number | null;
  /** When the first of its alerts was raised (µs). */
  detectedUs: number | null;
  timeToDetectMs: number | null;
  timeToResolveMs: number | null;
}

/**
 * Detection is measured from the event that raised an alert to the alert itself (what the
 * monitor controls); resolution from that first alert to the incident's closing. A clock
 * skew between agent and collector can make the first negative: it is reported as 0.
 */
export function incidentTimes(alerts: readonly { eventUs: number; createdUs: number }[], closedUs: number | null): IncidentTimes {
  if (alerts.length === 0) return { firstActivityUs: null, detectedUs: null, timeToDetectMs: null, timeToResolveMs: null };
  let first = Infinity;
  let detected = Infinity;
  for (const a of alerts) {
    if (a.eventUs < first) first = a.eventUs;
    if (a.createdUs < detected) detected = a.createdUs;
  }
  return {
    firstActivityUs: first,
    detectedUs: detected,
    timeToDetectMs: Math.max(0, (detected - first) / 1000),
    timeToResolveMs: closedUs === null ? null : Math.max(0, (closedUs - detected) / 1000),
  };
}
