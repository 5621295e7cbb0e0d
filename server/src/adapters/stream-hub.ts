// WebSocket /api/stream: pushes new alerts and build updates as JSON to every client.
// A slow client whose send buffer grows past a bound is disconnected, not waited for.
import { WebSocketServer, WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Metrics } from './metrics.js';

const MAX_BUFFERED = 8 * 1024 * 1024;

export class StreamHub {
  // The console offers 'telltale.v1' (and its token as a second protocol when reads need one):
  // answer with the first, never echo the token.
  private readonly wss = new WebSocketServer({
    noServer: true, maxPayload: 4096, handleProtocols: (offered) => (offered.has('telltale.v1') ? 'telltale.v1' : false),
  });

  constructor(private readonly metrics: Metrics) {
    this.wss.on('connection', (ws) => {
      this.metrics.set('telltale_websocket_clients', this.wss.clients.size);
      ws.send(JSON.stringify({ type: 'hello', version: 1 }));
      // Clients only listen; anything they send is ignored.
      ws.on('message', () => undefined);
      ws.on('error', () => ws.terminate());
      ws.on('close', () => this.metrics.set('telltale_websocket_clients', this.wss.clients.size));
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  hasClients(): boolean {
    return this.wss.clients.size > 0;
  }

  broadcast(message: { type: string } & Record<string, unknown>): void {
    if (this.wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        this.metrics.inc('telltale_events_dropped_total', { reason: 'websocket_slow_client' });
        ws.terminate();
        continue;
      }
      ws.send(text);
    }
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
