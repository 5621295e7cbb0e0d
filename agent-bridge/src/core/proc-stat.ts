// Reads the parent pid out of the text of /proc/<pid>/stat. The comm field sits in
// parentheses and may itself hold spaces and ')' (a process can name itself "a) 1 2"),
// so fields are counted from the last ')' rather than split from the start.

export function parseStatPpid(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After the comm: " <state> <ppid> <pgrp> ..."
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const ppid = fields[1];
  if (fields.length < 2 || ppid === undefined || !/^\d{1,7}$/.test(ppid)) return null;
  return Number(ppid);
}
