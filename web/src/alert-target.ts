// What an alert is about, as one line of text: its qname, else its domain, else its address.
import type { Alert } from './api-types';

export function alertTarget(a: Pick<Alert, 'qname' | 'domain' | 'address'>): string {
  return a.qname ?? a.domain ?? a.address ?? '';
}
