// The loopback DNS server the tests use is the drill's own (it ships with telltale).
export * from '../../../cli/src/drill/drill-dns-server.js';
