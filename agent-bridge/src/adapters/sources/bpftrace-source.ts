// bpftrace running telltale.bt as an event source: the process, the line decoder, and the
// per-CPU barrier that tells when every CPU's buffer has been read.
import type { AgentConfig } from '../../config.js';
import { startBpftrace, measureClockOffsetNs } from '../bpftrace-process.js';
import { BpftraceAssembler } from '../../core/bpftrace-assembler.js';
import { CpuBarrier } from '../cpu-barrier.js';
import { readCwd } from '../proc-reader.js';
import type { EventSink, RunningSource, SourceLog } from './running-source.js';

export async function startBpftraceSource(config: AgentConfig, sink: EventSink, log: SourceLog): Promise<RunningSource> {
  const assembler = new BpftraceAssembler({ clockOffsetNs: measureClockOffsetNs(), cwdOf: (pid) => readCwd(pid) });
  const barrier = new CpuBarrier();
  let lastUs = 0;
  let closing = false;
  const bpftrace = await startBpftrace({
    scriptPath: config.scriptPath, dnsPorts: config.dnsPorts, bpftracePath: config.bpftracePath,
    onRecord: (r) => {
      if (r.type === 'ready') barrier.ready(r.pid);
      const events = assembler.push(r);
      for (const e of events) if (e.timeUs > lastUs) lastUs = e.timeUs;
      sink(events);
    },
    onReject: (error) => {
      log.warn('unreadable bpftrace line', { code: error.code });
      // Events lost to every build open now: they show incomplete coverage rather than clean.
      sink([{ kind: 'loss', timeUs: lastUs || Date.now() * 1000, source: 'bpftrace', reason: 'malformed_line', count: 1 }]);
    },
    onStderr: (line) => log.warn('bpftrace', { line }),
  });
  await bpftrace.ready;
  void bpftrace.exited.then((exit) => {
    if (!closing) log.error('bpftrace exited; no more events are collected', { code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-3) });
  });
  return {
    name: 'bpftrace',
    drain: (timeoutMs) => barrier.drain(timeoutMs),
    flush: () => sink(assembler.flush()),
    position: () => undefined,
    committed: () => undefined,
    drops: () => Object.fromEntries([...assembler.drops, ...bpftrace.drops]),
    async stop() {
      closing = true;
      await bpftrace.stop();
      sink(assembler.flush());
    },
  };
}
