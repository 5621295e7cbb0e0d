// The lockfile scan's own process, started by lockfile-scanner.ts with the build's uid and gid:
// reads one request (the workspace, what the agent already sent) as JSON on stdin, writes one
// answer as JSON on stdout (content in base64), and exits. Nothing else is read or written.
import { scanWorkspace } from './lockfile-reader.js';

interface Request {
  workspace: string;
  sent: [string, string][];
  reported: [string, string][];
}

const chunks: Buffer[] = [];
process.stdin.on('data', (c: Buffer) => chunks.push(c));
process.stdin.on('end', () => {
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Request;
  const scan = scanWorkspace(req.workspace, { sent: new Map(req.sent), reported: new Map(req.reported) });
  const answer = scan === null ? null : {
    skipped: scan.skipped, truncated: scan.truncated,
    files: scan.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, omitted: f.omitted, content: f.content ? f.content.toString('base64') : null })),
  };
  process.stdout.write(JSON.stringify(answer));
});
