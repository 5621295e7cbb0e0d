// Tetragon reports argv[1..] as one string (Process.arguments). Its ArgsDecoder
// (pkg/process/args.go) joins the NUL-separated arguments with single spaces and wraps an
// argument that contains a space in double quotes, without escaping anything. So:
//   - an argument with a space arrives as "a b" (and, when it is the first one, after a space);
//   - an empty argument disappears; a quote inside an argument is not escaped;
//   - argv[0] is not in the string: the binary's path stands in for it.
// Splitting reverses the join. It is exact except for empty arguments (gone) and arguments
// that start with a double quote or hold one directly before a space, which may split
// differently: rare in builds, and it costs a differently split argv, never a lost event.

export function splitTetragonArguments(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    if (text[i] === '"') {
      // Tetragon quoted it only if it had a space: the close is a quote before a space or the end.
      const close = quotedEnd(text, i + 1);
      if (close > 0) {
        out.push(text.slice(i + 1, close));
        i = close + 1;
        continue;
      }
    }
    let end = text.indexOf(' ', i);
    if (end < 0) end = text.length;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

function quotedEnd(text: string, from: number): number {
  for (let j = text.indexOf('"', from); j >= 0; j = text.indexOf('"', j + 1)) {
    if (j + 1 === text.length || text[j + 1] === ' ') {
      // A quoted argument must have held a space, else Tetragon would not have quoted it.
      return text.slice(from, j).includes(' ') ? j : -1;
    }
  }
  return -1;
}
