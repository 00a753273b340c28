'use strict';
// One load-generator process. Usage: node loadgen.js CONFIG.json
// Sets up (connects, joins rooms), prints "READY {...}", waits for "GO" on stdin, drives the
// scenario for durationMs, prints "RESULT {...}" (latency histograms are mergeable), exits.
const fs = require('fs');
const WebSocket = require('ws');
const { io } = require('socket.io-client');
const { sign, now, Hist, stamp, stampTime } = require('./common');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ORIGIN = cfg.origin || 'http://localhost:3000';
const SIZE = cfg.contentBytes || 100;
const TIMEOUT_MS = 10000;
const say = (tag, obj) => process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const errors = {};
const countError = (what) => { errors[what] = (errors[what] || 0) + 1; };

const tokens = new Map();
function token(user, role) {
  if (!tokens.has(user)) {
    tokens.set(user, sign({ userId: user, email: `${user}@bench.test`, name: user, role,
      exp: Math.floor(Date.now() / 1000) + 3 * 3600 }, cfg.secret));
  }
  return tokens.get(user);
}

function connect(url, user, role, transports = cfg.transports || ['polling', 'websocket']) {
  const socket = io(url, { auth: { token: token(user, role) }, forceNew: true, reconnection: false,
    transports, extraHeaders: { Origin: ORIGIN }, timeout: 60000 });
  socket.on('error', (e) => countError(`error event: ${e && e.message}`));
  return socket;
}
const connected = (s) => new Promise((resolve, reject) => {
  s.once('connect', resolve);
  s.once('connect_error', (e) => reject(new Error(`connect_error: ${e.message}`)));
});
async function ack(socket, event, payload) {
  const answer = await socket.timeout(60000).emitWithAck(event, payload);
  if (!answer || !answer.success) throw new Error(`${event}: ${JSON.stringify(answer)}`);
  return answer.data;
}
async function rest(method, url, user, role, body, headers = {}) {
  const init = { method, headers: { Authorization: `Bearer ${token(user, role)}`, Origin: ORIGIN, ...headers } };
  if (body !== undefined) {
    init.body = Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!Buffer.isBuffer(body)) init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : null, bytes: text.length };
}
// Run fn(i) for i in [0, n) with at most `width` at a time.
async function batched(n, width, fn) {
  let next = 0;
  const worker = async () => { while (next < n) { const i = next++; await fn(i); } };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}
const waitGo = () => new Promise((resolve) => {
  process.stdin.on('data', (d) => { if (String(d).includes('GO')) resolve(); });
});
const url = (i) => cfg.urls[i % cfg.urls.length];

// Connect storm: every socket a distinct user, all at once (or `wave` at a time, each wave once
// the one before has connected: users arriving rather than a restart); hold them, then report.
async function connectStorm() {
  say('READY', {});
  await waitGo();
  const hist = new Hist();
  const start = now();
  let last = start;
  const sockets = [];
  const wave = cfg.wave || cfg.count;
  const results = [];
  for (let first = 0; first < cfg.count; first += wave) {
    results.push(...await Promise.allSettled(Array.from({ length: Math.min(wave, cfg.count - first) }, (_, k) => {
      const i = first + k;
      const t = now();
      const s = connect(url(i), `${cfg.prefix}-${i}`, cfg.role || 'buyer');
      sockets.push(s);
      return connected(s).then(() => { last = now(); hist.add(last - t); });
    })));
  }
  results.filter((r) => r.status === 'rejected').forEach((r) => countError(r.reason.message));
  const ok = results.length - Object.values(errors).reduce((a, b) => a + b, 0);
  say('HOLDING', { connected: ok });
  await sleep(cfg.holdMs || 1000);
  sockets.forEach((s) => s.close());
  return { ops: ok, windowMs: last - start, hist, extra: { attempted: cfg.count, connected: ok } };
}

// Setup is not measured: a step the server refused as temporarily unavailable (its bounded
// database wait, in the setup's burst) is tried again, as a client would, up to 5 times.
async function retried(step) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (e) {
      if (attempt >= 5 || !/"unavailable"|: 503$/.test(e.message)) throw e;
      await sleep(1000 * attempt);
    }
  }
}

// `n` 1:1 conversations (created over REST), each side connected and joined.
async function openPairs(n) {
  const pairs = [];
  await batched(n, 25, async (i) => {
    const a = `${cfg.prefix}-a${i}`;
    const b = `${cfg.prefix}-b${i}`;
    const made = await retried(async () => {
      const res = await rest('POST', `${url(0)}/api/v1/chat/conversations`, a, 'buyer',
        { otherUserId: b, propertyId: `p-${cfg.prefix}-${i}` });
      if (!res.json || !res.json.success) throw new Error(`create conversation: ${res.status}`);
      return res;
    });
    const id = made.json.data.conversation.id;
    const sa = connect(url(0), a, 'buyer');
    const sb = connect(url(cfg.urls.length - 1), b, 'seller');
    await Promise.all([connected(sa), connected(sb)]);
    await Promise.all([retried(() => ack(sa, 'join_conversation', { conversationId: id })),
      retried(() => ack(sb, 'join_conversation', id))]);
    pairs[i] = { id, sa, sb, a, b, seq: 0 };
  });
  return pairs;
}

// 1:1 chat: a sends, b receives new_message (both in this process, so clocks agree).
// Paced (rateHz): with duplex both sides send at rateHz; with activity each send is preceded by
// `typing` and each received message is answered with `mark_as_read` (acks checked, as errors).
// With heartbeatS, every socket emits `presence:heartbeat` (no payload, no ack) at that period from
// a random start, as the frontend's PresenceContext does every 30 s.
// With phases (names, each phaseMs long): "PHASE {name}" is said at each boundary and at the end,
// and each phase's messages (by send time) are reported apart, in extra.phases.
async function chat() {
  const pairs = await openPairs(cfg.conversations);
  say('READY', { conversations: pairs.length });
  await waitGo();
  const hist = new Hist();
  let sent = 0; let received = 0; let lost = 0;
  const start = now();
  const end = start + cfg.durationMs;
  const paced = cfg.rateHz > 0;
  const phases = (cfg.phases || []).map((name) => ({ name, hist: new Hist(), sent: 0, received: 0 }));
  const phaseOf = (t) => phases[Math.max(0, Math.min(phases.length - 1, Math.floor((t - start) / cfg.phaseMs)))];
  const errorsAt = [{}]; // errors so far at each phase boundary
  const boundaries = phases.slice(1).map((ph, i) => setTimeout(() => {
    errorsAt.push({ ...errors });
    say('PHASE', { name: ph.name });
  }, (i + 1) * cfg.phaseMs));
  let pending = 0; // acks not yet in (each arrives, or times out, within TIMEOUT_MS)
  const acked = (event) => (err, answer) => {
    pending -= 1;
    if (err) countError(`${event}: no ack in ${TIMEOUT_MS} ms`);
    else if (!answer || !answer.success) countError(`${event}: ${JSON.stringify(answer && answer.error)}`);
  };
  const emit = (socket, event, payload) => {
    pending += 1;
    socket.timeout(TIMEOUT_MS).emit(event, payload, acked(event));
  };
  const send = (p, from = p.sa) => {
    if (now() >= end) return;
    sent += 1; p.seq += 1;
    if (phases.length) phaseOf(now()).sent += 1;
    if (!paced) p.timer = setTimeout(() => { lost += 1; send(p); }, TIMEOUT_MS);
    const message = { conversationId: p.id, content: stamp(SIZE), clientMessageId: `${p.id}-${p.seq}` };
    if (!paced) return from.emit('send_message', message);
    if (cfg.activity) emit(from, 'typing', { conversationId: p.id, isTyping: true });
    return emit(from, 'send_message', message);
  };
  const receive = (p, socket, me) => (m) => {
    const t = now();
    if (m.senderId === me || t > end + TIMEOUT_MS) return;
    hist.add(t - stampTime(m.content)); received += 1;
    if (phases.length) { const ph = phaseOf(stampTime(m.content)); ph.hist.add(t - stampTime(m.content)); ph.received += 1; }
    if (cfg.activity) emit(socket, 'mark_as_read', { conversationId: p.id, upToMessageId: m.id });
    if (!paced) { clearTimeout(p.timer); send(p); }
  };
  const every = (p, from) => setTimeout(() => {
    send(p, from);
    p.intervals.push(setInterval(() => send(p, from), 1000 / cfg.rateHz));
  }, Math.random() * 1000 / cfg.rateHz);
  const beat = (p, socket) => setTimeout(() => {
    socket.emit('presence:heartbeat');
    p.intervals.push(setInterval(() => socket.emit('presence:heartbeat'), cfg.heartbeatS * 1000));
  }, Math.random() * cfg.heartbeatS * 1000);
  for (const p of pairs) {
    p.sb.on('new_message', receive(p, p.sb, p.b));
    p.intervals = [];
    p.beats = cfg.heartbeatS ? [beat(p, p.sa), beat(p, p.sb)] : [];
    if (paced && cfg.duplex) p.sa.on('new_message', receive(p, p.sa, p.a));
    if (paced) p.starts = [every(p, p.sa)].concat(cfg.duplex ? [every(p, p.sb)] : []);
    else send(p);
  }
  await sleep(cfg.durationMs);
  pairs.forEach((p) => (p.starts || []).concat(p.beats, p.intervals).forEach((t) => { clearTimeout(t); clearInterval(t); }));
  boundaries.forEach(clearTimeout);
  if (phases.length) say('PHASE', { name: 'end' });
  const deadline = now() + TIMEOUT_MS; // let messages in flight arrive (or time out)
  while ((received + lost < sent || pending > 0) && now() < deadline + 1000) await sleep(20);
  pairs.forEach((p) => clearTimeout(p.timer));
  const windowMs = cfg.durationMs;
  lost = sent - received;
  const byPhase = {};
  phases.forEach((ph, i) => {
    const before = errorsAt[i] || {};
    const after = errorsAt[i + 1] || errors; // late acks count in the phase they arrive in
    const phaseErrors = {};
    Object.keys(after).forEach((k) => { if (after[k] - (before[k] || 0)) phaseErrors[k] = after[k] - (before[k] || 0); });
    byPhase[ph.name] = { ops: ph.received, windowMs: cfg.phaseMs, hist: ph.hist, errors: phaseErrors,
      extra: { sent: ph.sent, received: ph.received, lost: ph.sent - ph.received } };
  });
  return { ops: received, windowMs, hist, extra: { sent, received, lost, conversations: pairs.length,
    users: 2 * pairs.length, phases: byPhase } };
}

// Flooders, each a distinct user on its own websocket: from delayMs after GO, for durationMs, each
// emits `event` (send_message to a conversation of its own, or any event with {}) as fast as its
// socket takes it (bursts while the websocket's send buffer is under FLOOD_BACKLOG; at most rateHz
// per flooder if set), no acks, and stops once disconnected. The backend should answer with `error`
// "Disconnected: too many events." and a disconnect: the time from the flood's start to that error
// is reported per flooder, also when it comes after the window (up to TIMEOUT_MS later).
const FLOOD_TEXT = 'Disconnected: too many events.';
const REFUSED_TEXT = 'Too many events. Please slow down.';
const FLOOD_BURST = 50;
const FLOOD_BACKLOG = 256 * 1024;
async function flood() {
  const flooders = [];
  await batched(cfg.flooders, 25, async (i) => {
    const user = `${cfg.prefix}-f${i}`;
    let payload = {};
    if (cfg.event === 'send_message' || cfg.event === 'typing') {
      const made = await rest('POST', `${url(0)}/api/v1/chat/conversations`, user, 'buyer',
        { otherUserId: `${cfg.prefix}-p${i}`, propertyId: `p-${cfg.prefix}-${i}` });
      if (!made.json || !made.json.success) throw new Error(`create conversation: ${made.status}`);
      const conversationId = made.json.data.conversation.id;
      payload = cfg.event === 'typing' ? { conversationId, isTyping: true }
        : { conversationId, content: `flood ${'x'.repeat(Math.max(0, SIZE - 6))}` };
    }
    const socket = connect(url(i), user, 'buyer', ['websocket']);
    const f = { socket, payload, emitted: 0, refused: 0, cutAt: null, goneAt: null };
    socket.off('error');
    socket.on('error', (e) => {
      const text = e && e.message;
      if (text === FLOOD_TEXT) f.cutAt = f.cutAt || now();
      else if (text === REFUSED_TEXT) f.refused += 1;
      else countError(`flooder error event: ${text}`);
    });
    socket.on('disconnect', () => { f.goneAt = f.goneAt || now(); });
    await connected(socket);
    flooders[i] = f;
  });
  say('READY', { flooders: flooders.length });
  await waitGo();
  await sleep(cfg.delayMs || 0);
  const start = now();
  const end = start + cfg.durationMs;
  const pump = (f) => {
    if (!f.socket.connected || f.goneAt || now() >= end) return;
    const transport = f.socket.io.engine && f.socket.io.engine.transport;
    const full = transport && transport.ws && transport.ws.bufferedAmount >= FLOOD_BACKLOG;
    const due = cfg.rateHz > 0 ? Math.floor((now() - start) * cfg.rateHz / 1000) - f.emitted : FLOOD_BURST;
    const n = full ? 0 : Math.min(FLOOD_BURST, due);
    for (let k = 0; k < n; k += 1) f.socket.emit(cfg.event, f.payload);
    f.emitted += n;
    if (n > 0 && !(cfg.rateHz > 0)) setImmediate(() => pump(f));
    else setTimeout(() => pump(f), 1);
  };
  flooders.forEach(pump);
  await sleep(cfg.durationMs);
  const grace = now() + TIMEOUT_MS; // a cut-off may come late, once the server catches up
  while (flooders.some((f) => !f.goneAt) && now() < grace) await sleep(20);
  const cut = flooders.filter((f) => f.cutAt);
  return { ops: flooders.reduce((a, f) => a + f.emitted, 0), windowMs: cfg.durationMs, hist: new Hist(),
    extra: { flooders: flooders.length, cutOffS: cut.map((f) => (f.cutAt - start) / 1000),
      refused: flooders.reduce((a, f) => a + f.refused, 0),
      dropped: flooders.filter((f) => f.goneAt && !f.cutAt).length,
      connected: flooders.filter((f) => !f.goneAt).length } };
}

// Fan-out: one member sends, every member (sender included) receives; next when all have it.
// Each member's socket is opened by the worker that joins it (at most SETUP_WIDTH at a time):
// opened all at once, a socket could be connected before its worker listened for `connect`,
// and that worker waited forever (the Node reference's hang at 1,000 members).
// The backend announces each member's arrival to the others (presence:user-online: about N²/2
// events for one room of N); setup ends once they have stopped arriving (no event for
// SETTLE_QUIET_MS), so that the measured window holds the fan-out only.
const SETUP_WIDTH = 100;
const SETTLE_QUIET_MS = 1000;
async function fanout() {
  const setupStart = now();
  const members = cfg.members.map((user) => ({ user, socket: null }));
  const setupEvents = {};
  let lastEventAt = now();
  const countSetupEvent = (event) => { setupEvents[event] = (setupEvents[event] || 0) + 1; lastEventAt = now(); };
  await batched(members.length, cfg.setupWidth || SETUP_WIDTH, async (i) => {
    const socket = connect(url(i), members[i].user, 'buyer');
    members[i].socket = socket;
    socket.onAny(countSetupEvent);
    await connected(socket);
    await ack(socket, 'join_conversation', { conversationId: cfg.conversationId });
  });
  const joinedMs = now() - setupStart;
  const settleEnd = now() + 120000;
  while (now() - lastEventAt < SETTLE_QUIET_MS && now() < settleEnd) await sleep(100);
  members.forEach((m) => m.socket.offAny(countSetupEvent));
  const setup = { members: members.length, joinedMs: Math.round(joinedMs), settledMs: Math.round(now() - setupStart),
    events: setupEvents };
  process.stderr.write(`setup ${JSON.stringify(setup)}\n`);
  say('READY', setup);
  await waitGo();
  const hist = new Hist(); const whole = new Hist();
  let sent = 0; let deliveries = 0; let lost = 0; let got = 0; let sentAt = 0; let timer;
  const start = now();
  const end = start + cfg.durationMs;
  const send = () => {
    clearTimeout(timer);
    if (now() >= end) return;
    sent += 1; got = 0; sentAt = now();
    timer = setTimeout(() => { lost += 1; send(); }, TIMEOUT_MS);
    members[0].socket.emit('send_message', { conversationId: cfg.conversationId, content: stamp(SIZE, `#${sent}`) });
  };
  for (const m of members) {
    m.socket.on('new_message', (msg) => {
      if (!String(msg.content).includes(` #${sent} `)) return; // late copy of a timed-out message
      hist.add(now() - stampTime(msg.content)); deliveries += 1; got += 1;
      if (got === members.length) { whole.add(now() - sentAt); send(); }
    });
  }
  send();
  await sleep(cfg.durationMs);
  clearTimeout(timer);
  const windowMs = now() - start;
  return { ops: deliveries, windowMs, hist, extra: { broadcasts: sent, lost, members: members.length,
    broadcastHist: whole } };
}

// A new ticket (REST) reaches every employee in the employee room as ticket:created.
async function tickets() {
  const staff = Array.from({ length: cfg.employees }, (_, i) => connect(url(i), `${cfg.prefix}-e${i}`, 'employee'));
  await batched(staff.length, 50, async (i) => {
    await connected(staff[i]);
    await ack(staff[i], 'join_employee_room', {});
  });
  say('READY', { employees: staff.length });
  await waitGo();
  const hist = new Hist(); const post = new Hist();
  let created = 0; let deliveries = 0;
  const start = now();
  const end = start + cfg.durationMs;
  staff.forEach((s) => s.on('ticket:created', (t) => { hist.add(now() - stampTime(t.problem)); deliveries += 1; }));
  await batched(cfg.customers, cfg.customers, async (c) => {
    while (now() < end) {
      const t = now();
      const r = await rest('POST', `${url(0)}/api/v1/tickets`, `${cfg.prefix}-c${c}`, 'buyer',
        { categoryTitle: 'Payments', subCategoryTitle: 'Refund', problem: stamp(SIZE) });
      if (r.status === 201) { created += 1; post.add(now() - t); } else countError(`POST /tickets ${r.status}`);
      if (cfg.rateHz > 0) await sleep(Math.max(0, t + 1000 / cfg.rateHz - now())); // a fixed pace
    }
  });
  const windowMs = Math.max(cfg.durationMs, now() - start);
  const deadline = now() + TIMEOUT_MS; // let broadcasts in flight arrive
  await sleep(500);
  while (deliveries < created * staff.length && now() < deadline) await sleep(20);
  return { ops: deliveries, windowMs, hist, extra: { tickets: created, deliveries, employees: staff.length,
    lost: Math.max(0, created * staff.length - deliveries), postHist: post } };
}

// REST: `concurrency` clients in closed loop on one request (or until maxRequests).
async function restLoad() {
  let body;
  const headers = {};
  if (cfg.uploadBytes) {
    const boundary = 'benchboundary7d1f';
    const file = Buffer.alloc(cfg.uploadBytes, 0x41);
    file.write('%PDF-1.4\n');
    body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="conversationId"\r\n\r\n`
      + `${cfg.conversationId}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="plan.pdf"\r\n`
      + 'Content-Type: application/pdf\r\n\r\n'), file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
  }
  const target = `${url(0)}${cfg.path}`;
  const probe = await rest(cfg.method, target, cfg.user, cfg.role || 'buyer', body, headers);
  if (probe.status >= 400) throw new Error(`${cfg.method} ${cfg.path}: ${probe.status} ${JSON.stringify(probe.json)}`);
  say('READY', { status: probe.status, bytes: probe.bytes });
  await waitGo();
  const hist = new Hist();
  let done = 0; let bytes = 0; let started = 0;
  const start = now();
  const end = start + cfg.durationMs;
  await batched(cfg.concurrency, cfg.concurrency, async () => {
    while (now() < end && (!cfg.maxRequests || started < cfg.maxRequests)) {
      started += 1;
      const t = now();
      const r = await rest(cfg.method, target, cfg.user, cfg.role || 'buyer', body, headers);
      if (r.status < 400) { hist.add(now() - t); done += 1; bytes += r.bytes; } else countError(`HTTP ${r.status}`);
      if (cfg.rateHz > 0) await sleep(1000 / cfg.rateHz);
    }
  });
  return { ops: done, windowMs: now() - start, hist, extra: { responseBytes: bytes, uploadBytes: cfg.uploadBytes || 0 } };
}

// Loopback ceiling: raw websocket echo, closed loop per client.
async function echo() {
  const clients = await Promise.all(Array.from({ length: cfg.clients }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.urls[0]);
    ws.on('open', () => resolve(ws)); ws.on('error', reject);
  })));
  say('READY', { clients: clients.length });
  await waitGo();
  const hist = new Hist();
  let done = 0;
  const start = now();
  const end = start + cfg.durationMs;
  for (const ws of clients) {
    ws.on('message', (data) => {
      hist.add(now() - stampTime(data)); done += 1;
      if (now() < end) ws.send(stamp(SIZE));
    });
    ws.send(stamp(SIZE));
  }
  await sleep(cfg.durationMs + 200);
  return { ops: done, windowMs: cfg.durationMs, hist, extra: {} };
}

const SCENARIOS = { connect: connectStorm, chat, fanout, tickets, rest: restLoad, echo, flood };
SCENARIOS[cfg.kind]()
  // Sockets stay open until run.py stops this process, so their disconnects fall outside the
  // measured window (the connect storm closes its own: its disconnects are part of it).
  .then((result) => say('RESULT', { ...result, errors }))
  .catch((err) => {
    // undici's "fetch failed" names the real reason (a reset, a refusal) only in its cause.
    const cause = err && err.cause ? ` (cause: ${err.cause.code || ''} ${err.cause.message || err.cause})` : '';
    say('FAILED', { message: String(err && err.stack || err) + cause, errors });
    process.exit(1);
  });
