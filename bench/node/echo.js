'use strict';
// The loopback ceiling: a raw websocket echo server (ws sets TCP_NODELAY). Usage: node echo.js PORT
const { WebSocketServer } = require('ws');

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) });
wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
wss.on('listening', () => console.log('listening'));
