// The systemd units: the settings each must have (hardening, capabilities, where its secrets
// come from), read as INI; and `systemd-analyze verify` on each, when systemd-analyze is here,
// with ExecStart's /usr/local/bin/telltale swapped for a binary that exists.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, k8sObjects, podSpec, read } from './kit.js';
import { parseUnitFile, unitValue } from './unit-file.js';

const UNITS = readdirSync(join(ROOT, 'deploy/systemd')).filter((f) => f.endsWith('.service')).sort();
const unit = (name: string) => parseUnitFile(read(`deploy/systemd/${name}`));
const service = (name: string, key: string) => unitValue(unit(name), 'Service', key);

describe('systemd units', () => {
  it('are the collector, the agent and the guard', () => {
    expect(UNITS).toEqual(['telltale-agent.service', 'telltale-collector.service', 'telltale-guard.service']);
  });

  it.each(UNITS)('%s: starts telltale, restarts on failure, is hardened, installs into multi-user', (name) => {
    const u = unit(name);
    expect([...u.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(service(name, 'ExecStart')).toMatch(/^\/usr\/local\/bin\/telltale (server|agent|guard) /);
    expect(service(name, 'Restart')).toBe('on-failure');
    expect(service(name, 'RestartPreventExitStatus')).toBe('2');
    for (const [key, value] of Object.entries({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes', RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6', SystemCallArchitectures: 'native' })) {
      expect(service(name, key), key).toBe(value);
    }
    expect(service(name, 'EnvironmentFile')).toMatch(/^-?\/etc\/telltale\/[a-z]+\.env$/);
    expect(unitValue(u, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('the collector: a user of its own, its state directory, no capabilities', () => {
    const n = 'telltale-collector.service';
    expect(service(n, 'DynamicUser')).toBe('yes');
    expect(service(n, 'StateDirectory')).toBe('telltale');
    expect(service(n, 'ExecStart')).toContain('--data-dir /var/lib/telltale');
    expect(service(n, 'CapabilityBoundingSet')).toBe('');
    expect(service(n, 'AmbientCapabilities')).toBe('');
  });

  it('the agent: root with exactly the bpftrace DaemonSet\'s capabilities, its spool in its state directory', () => {
    const n = 'telltale-agent.service';
    expect(service(n, 'User')).toBeUndefined();
    expect(service(n, 'DynamicUser')).toBeUndefined();
    const ds = k8sObjects().find((o) => o.file === 'deploy/kubernetes/agent-daemonset.yaml')!;
    const caps = podSpec(ds).containers[0].securityContext.capabilities.add.map((c: string) => `CAP_${c}`);
    expect(service(n, 'CapabilityBoundingSet')!.split(' ')).toEqual(caps);
    expect(service(n, 'AmbientCapabilities')).toBe('');
    expect(service(n, 'StateDirectory')).toBe('telltale-agent');
    expect(service(n, 'ExecStart')).toContain('--data-dir /var/lib/telltale-agent');
    // bpf() and perf_event_open() sit outside @system-service.
    expect(service(n, 'SystemCallFilter')).toBe('@system-service bpf perf_event_open');
    // Hiding other users' processes would blind the agent.
    expect(service(n, 'ProtectProc')).toBeUndefined();
  });

  it('the guard: a user of its own that may bind port 53 and nothing else, the operator token as a credential', () => {
    const n = 'telltale-guard.service';
    expect(service(n, 'DynamicUser')).toBe('yes');
    expect(service(n, 'AmbientCapabilities')).toBe('CAP_NET_BIND_SERVICE');
    expect(service(n, 'CapabilityBoundingSet')).toBe('CAP_NET_BIND_SERVICE');
    expect(service(n, 'LoadCredential')).toBe('operator-token:/etc/telltale/operator-token');
    expect(service(n, 'ExecStart')).toContain('--token-file %d/operator-token');
  });

  // The test line installs systemd-analyze when it is missing (scripts/test.sh): no skipping.
  it.each(UNITS)('%s passes systemd-analyze verify', (name) => {
    expect(spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status, 'systemd-analyze is needed (apt-get install systemd)').toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'telltale-units-'));
    try {
      writeFileSync(join(dir, name), read(`deploy/systemd/${name}`).replaceAll('/usr/local/bin/telltale', process.execPath));
      const r = spawnSync('systemd-analyze', ['verify', join(dir, name)], { encoding: 'utf8' });
      expect(r.stderr + r.stdout).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
