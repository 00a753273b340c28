'use strict';
// The heartbeat probe's clients. Usage: node heartbeats.js URL SECRET SOCKETS RATE SECONDS
// Connects SOCKETS sockets (websocket, as users), says "READY", waits for a line on stdin (the
// probe sends it once the backend has settled the connects), then says "PHASE idle",
// waits SECONDS, says "PHASE beat", emits `presence:heartbeat` (no payload, no ack: as the
// frontend's PresenceContext does) at RATE a second spread over the sockets for SECONDS, and
// says "PHASE end SENT" once the last has had a second to be handled.
const { io } = require('socket.io-client');
const { sign } = require('./common');

const [url, secret] = process.argv.slice(2, 4);
const [sockets, rate, seconds] = process.argv.slice(4, 7).map(Number);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function open(i) {
  const claims = { userId: `hb${i}`, email: `hb${i}@bench.test`, name: `hb${i}`, role: 'buyer',
    exp: Math.floor(Date.now() / 1000) + 3600 };
  const socket = io(url, { auth: { token: sign(claims, secret) }, forceNew: true, reconnection: false,
    transports: ['websocket'], extraHeaders: { Origin: 'http://localhost:3000' } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

(async () => {
  const opened = [];
  for (let i = 0; i < sockets; i += 1) {
    opened.push(open(i));
    if (i % 50 === 49) await sleep(100); // a steady stream, not a storm
  }
  const all = await Promise.all(opened);
  console.log('READY');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  console.log('PHASE idle');
  await sleep(seconds * 1000);
  console.log('PHASE beat');
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < seconds * 1000) {
    for (const due = Math.floor(((Date.now() - start) / 1000) * rate); sent < due; sent += 1) {
      all[sent % all.length].emit('presence:heartbeat');
    }
    await sleep(5);
  }
  await sleep(1000);
  console.log(`PHASE end ${sent}`);
  all.forEach((s) => s.close());
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
