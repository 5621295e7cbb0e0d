// Messages of the agent's local control socket (`telltale run` ↔ agent), parsed at the edge.

export interface RegisterBuildRequest {
  rootPid: number;
  pipeline?: string;
  runId?: string;
  job?: string;
  repo?: string;
  commit?: string;
  ciProvider?: string;
}

export interface EndBuildRequest {
  exitCode: number;
  /** The build command's pid: the agent waits until it has seen it exit, so no event is left behind. */
  commandPid: number;
  waitMs: number;
}

export class ControlError extends Error {
  constructor(readonly code: 'CONTROL_BAD_REQUEST' | 'CONTROL_NOT_FOUND', message: string) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(o: Record<string, unknown>, name: string, min: number, max: number): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ControlError('CONTROL_BAD_REQUEST', `${name} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function optText(o: Record<string, unknown>, name: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > 512) throw new ControlError('CONTROL_BAD_REQUEST', `${name} must be a string of at most 512 characters`);
  return v;
}

export function parseRegisterBuild(body: unknown): RegisterBuildRequest {
  if (!isObject(body)) throw new ControlError('CONTROL_BAD_REQUEST', 'body must be a JSON object');
  const out: RegisterBuildRequest = { rootPid: int(body, 'rootPid', 1, 2 ** 22) };
  for (const k of ['pipeline', 'runId', 'job', 'repo', 'commit', 'ciProvider'] as const) {
    const v = optText(body, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function parseEndBuild(body: unknown): EndBuildRequest {
  if (!isObject(body)) throw new ControlError('CONTROL_BAD_REQUEST', 'body must be a JSON object');
  return {
    exitCode: int(body, 'exitCode', -255, 255),
    commandPid: int(body, 'commandPid', 0, 2 ** 22),
    waitMs: body.waitMs === undefined ? 10_000 : int(body, 'waitMs', 0, 120_000),
  };
}
