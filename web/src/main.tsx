// Entry point: takes a token from the URL hash, asks the collector what it allows, opens the live stream, renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { checkSession, initOperator, streamProtocols, subscribeOperator, getOperator } from './operator';
import { restartLiveStream, startLiveStream } from './live-stream';
import './styles.css';

initOperator();

// The stream waits for the session answer: when reads need the token, it must ride in the subprotocols.
let lastProtocols = '';
void checkSession().finally(() => {
  lastProtocols = streamProtocols().join(',');
  startLiveStream(() => streamProtocols());
  subscribeOperator(() => {
    const now = streamProtocols().join(',');
    if (now !== lastProtocols && getOperator().sessionStatus !== 'checking') {
      lastProtocols = now;
      restartLiveStream();
    }
  });
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
