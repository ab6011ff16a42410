import WebSocket from 'ws';

// SIP.js and JsSIP open `new WebSocket(url, "sip")`, the browser's API; Node 20 has no global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
