// What an alert is about, as one line of text: its qname, else its domain, else its address, else (a
// look-alike package) what it looks like; and the package behind it, when its evidence names one.
import type { Alert } from './api-types';
import { packageFacts, packageLabel, signalText } from './package-evidence';

type Target = Pick<Alert, 'qname' | 'domain' | 'address' | 'kind' | 'evidence'>;

export function alertTarget(a: Target): string {
  const direct = a.qname ?? a.domain ?? a.address;
  if (direct !== null) return direct;
  const signal = packageFacts(a)?.typosquat[0];
  return signal ? signalText(signal) : '';
}

/** `reqwests 0.1.0`; '' when the alert names no package. */
export function alertPackage(a: Pick<Alert, 'kind' | 'evidence'>): string {
  const pkg = packageFacts(a);
  return pkg ? packageLabel(pkg) : '';
}
