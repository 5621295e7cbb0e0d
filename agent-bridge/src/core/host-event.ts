// What a host source observes: a TelltaleEvent before the build tracker gives it a buildId.
// Build start/end come from the CI side, never from a host source, so they are not here.
import type { ConnectEvent, DnsEvent, ExecEvent, ExitEvent, ForkEvent, LossEvent } from '@telltale/proto';

type WithoutBuild<E> = E extends unknown ? Omit<E, 'buildId'> : never;

export type HostEvent = WithoutBuild<ExecEvent | ForkEvent | ExitEvent | ConnectEvent | DnsEvent | LossEvent>;
export type HostExecEvent = Omit<ExecEvent, 'buildId'>;
export type HostDnsEvent = Omit<DnsEvent, 'buildId'>;
