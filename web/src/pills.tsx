// Status, severity, baseline and guard pills; class names come from fixed tables, not from the values the API sends.
import type { AlertStatus, BuildStatus, IncidentStatus, Severity } from './api-types';
import type { EntryStatus } from './baseline-model';
import { oneLine } from './visible-text';

const SEVERITY: Record<Severity, string> = { critical: 'sev-critical', high: 'sev-high', medium: 'sev-medium', low: 'sev-low' };
const ALERT_STATUS: Record<AlertStatus, [string, string]> = {
  open: ['st-open', 'open'], acknowledged: ['st-ack', 'acknowledged'], resolved: ['st-resolved', 'resolved'], false_positive: ['st-fp', 'false_positive'],
};
const BUILD_STATE: Record<BuildStatus, string> = { running: 'st-running', succeeded: 'st-ok', failed: 'st-failed' };
const INCIDENT_STATUS: Record<IncidentStatus, string> = { open: 'st-open', contained: 'st-contained', closed: 'st-resolved' };

const pick = <K extends string>(table: Record<K, string>, v: string): string => (Object.hasOwn(table, v) ? table[v as K] : 'st-unknown');

export function SeverityPill({ severity }: { severity: Severity }) {
  return <span className={`pill ${pick(SEVERITY, severity)}`}>{severity}</span>;
}

export function AlertStatusPill({ status, testId }: { status: AlertStatus; testId?: string }) {
  const entry = Object.hasOwn(ALERT_STATUS, status) ? ALERT_STATUS[status] : (['st-unknown', String(status)] as const);
  return <span className={`pill ${entry[0]}`} data-testid={testId} data-status={status}>{entry[1]}</span>;
}

export function BuildStatePill({ state }: { state: BuildStatus }) {
  return <span className={`pill ${pick(BUILD_STATE, state)}`}>{state}</span>;
}

export function IncidentStatusPill({ status, testId }: { status: IncidentStatus; testId?: string }) {
  return <span className={`pill ${pick(INCIDENT_STATUS, status)}`} data-testid={testId}>{status}</span>;
}

const ENTRY_STATUS: Record<EntryStatus, [string, string, string]> = {
  active: ['st-ok', 'active', 'In the baseline'],
  learning: ['st-running', 'learning', 'A running learning build is teaching it: it joins a version when that build ends'],
  pending: ['st-ack', 'pending', 'A build proposed it: it waits for an operator to approve or reject it'],
};
const VERSION_CAUSE: Record<string, string> = {
  learned: 'st-running', approved: 'st-ok', allowed: 'st-ok', migrated: 'st-fp',
  revoked: 'st-ack', removed: 'st-ack', expired: 'st-fp', poisoned: 'st-failed',
};
const GUARD_VERDICT: Record<string, string> = { blocked_encoded: 'sev-high', blocked_new: 'sev-medium', forwarded_new: 'sev-low' };

export function EntryStatusPill({ status }: { status: EntryStatus }) {
  const [cls, label, title] = ENTRY_STATUS[status];
  return <span className={`pill ${cls}`} title={title} data-status={status}>{label}</span>;
}

export function VersionCausePill({ cause }: { cause: string }) {
  return <span className={`pill ${pick(VERSION_CAUSE, cause)}`}>{oneLine(cause, 24)}</span>;
}

export function GuardVerdictPill({ verdict }: { verdict: string }) {
  return <span className={`pill ${pick(GUARD_VERDICT, verdict)}`}>{oneLine(verdict.replace('_', ' '), 32)}</span>;
}
