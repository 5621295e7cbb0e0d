// A systemd unit file read as sections of key=value lines (keys may repeat), enough to check
// what a unit sets when systemd-analyze is not at hand.

export type UnitFile = Map<string, Map<string, string[]>>;

export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | null = null;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      if (unit.has(header[1]!)) throw new Error(`line ${i + 1}: section [${header[1]}] twice`);
      section = new Map();
      unit.set(header[1]!, section);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv) throw new Error(`line ${i + 1}: not key=value: ${line}`);
    if (!section) throw new Error(`line ${i + 1}: ${kv[1]} outside a section`);
    const values = section.get(kv[1]!) ?? [];
    values.push(kv[2]!.trim());
    section.set(kv[1]!, values);
  });
  return unit;
}

/** The last value of a key (systemd's rule for single-valued settings). */
export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}
