// Entry point: takes a token from the URL hash, opens the live stream, asks the collector what the token allows, renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { checkSession, initOperator, streamProtocols, subscribeOperator } from './operator';
import { restartLiveStream, startLiveStream } from './live-stream';
import './styles.css';

initOperator();

// Reads and the stream carry the token when there is one, so nothing waits for /api/session;
// a new token restarts the stream with it.
void checkSession();
let lastProtocols = streamProtocols().join(',');
startLiveStream(() => streamProtocols());
subscribeOperator(() => {
  const now = streamProtocols().join(',');
  if (now !== lastProtocols) {
    lastProtocols = now;
    restartLiveStream();
  }
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
