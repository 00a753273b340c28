'use strict';
// The reference point: a minimal Node socket.io 4.8 server with the same events, rooms and
// payload shapes as the Python backend, storing nothing. Usage: JWT_SECRET=... node refserver.js PORT
const http = require('http');
const crypto = require('crypto');
const { Server } = require('socket.io');
const { verify } = require('./common');

const SECRET = process.env.JWT_SECRET;
const ORIGIN = process.env.FRONTEND_URL || 'http://localhost:3000';
const newId = () => crypto.randomBytes(12).toString('hex');
const iso = () => new Date().toISOString();
const withId = (doc) => { const id = newId(); return { id, _id: id, ...doc }; };

function message(user, conversationId, content, clientMessageId) {
  const t = iso();
  return withId({ conversationId, senderId: user.userId, senderEmail: user.email, senderName: user.name,
    content, type: 'text', fileUrl: null, thumbnailUrl: null, fileName: null, fileSize: null, read: false,
    readAt: null, edited: false, deleted: false, clientMessageId: clientMessageId || null,
    createdAt: t, updatedAt: t });
}
function conversation(user, otherId) {
  const t = iso();
  return withId({ type: 'property', conversationType: 'property', participants: [user.userId, otherId],
    propertyId: 'p-1', propertyTitle: 'A flat', lastMessage: 'hello', lastMessageAt: t, unreadCount: 0,
    otherUser: { id: otherId, name: otherId, email: `${otherId}@bench.test` }, createdAt: t, updatedAt: t });
}
function ticket(user, body) {
  const t = iso();
  return withId({ userId: user.userId, userRole: user.role, userName: user.name, userEmail: user.email,
    categoryId: null, categoryTitle: body.categoryTitle, subCategoryId: null,
    subCategoryTitle: body.subCategoryTitle, problem: body.problem, status: 'open', assignedTo: null,
    assignedToName: null, history: [{ status: 'open', by: user.userId, at: t, reason: 'created' }],
    feedback: null, createdAt: t, updatedAt: t, closedAt: null });
}
const PAGE = { conversations: Array.from({ length: 50 }, (_, i) => conversation({ userId: 'u' }, `o${i}`)) };
const MESSAGES = { messages: Array.from({ length: 50 }, () => message({ userId: 'u' }, newId(), 'x'.repeat(100))),
  hasMore: true, nextBefore: newId() };

function reply(res, status, data) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ success: status < 400, data }));
}

function rest(req, res) {
  const user = verify(req.headers.authorization, SECRET);
  if (!user) return reply(res, 401, null);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const path = req.url.split('?')[0];
    const json = () => JSON.parse(Buffer.concat(chunks).toString() || '{}');
    if (req.method === 'POST' && path === '/api/v1/chat/conversations') {
      return reply(res, 201, { conversation: conversation(user, json().otherUserId) });
    }
    if (req.method === 'GET' && path === '/api/v1/chat/conversations') return reply(res, 200, PAGE);
    if (req.method === 'GET' && path.endsWith('/messages')) return reply(res, 200, MESSAGES);
    if (req.method === 'POST' && path === '/api/v1/chat/upload') {
      const size = chunks.reduce((n, c) => n + c.length, 0);
      return reply(res, 201, { url: '/f', fileId: newId(), metadata: { fileSize: size } });
    }
    if (req.method === 'POST' && path === '/api/v1/tickets') {
      const doc = ticket(user, json());
      io.to('employees').emit('ticket:created', doc);
      io.to('employees').emit('ticket:new', doc);
      return reply(res, 201, { ticket: doc });
    }
    return reply(res, 404, null);
  });
}

const server = http.createServer(rest);
const io = new Server(server, { cors: { origin: ORIGIN }, maxHttpBufferSize: 100 * 1024 });
io.use((socket, next) => {
  const user = verify(socket.handshake.auth && socket.handshake.auth.token, SECRET);
  if (!user) return next(new Error('Invalid token. Please login again.'));
  socket.data.user = user;
  return next();
});
io.on('connection', (socket) => {
  const user = socket.data.user;
  const ok = (ack, data) => typeof ack === 'function' && ack({ success: true, data });
  const convId = (p) => (typeof p === 'string' ? p : p && p.conversationId);
  socket.join(`user:${user.userId}`);
  socket.on('join_conversation', (p, ack) => { socket.join(`conversation:${convId(p)}`); ok(ack, {}); });
  socket.on('leave_conversation', (p, ack) => { socket.leave(`conversation:${convId(p)}`); ok(ack, {}); });
  socket.on('send_message', (p, ack) => {
    const msg = message(user, p.conversationId, p.content, p.clientMessageId);
    const room = `conversation:${p.conversationId}`;
    io.to(room).emit('new_message', msg);
    // The backend notifies the other participants' user rooms: the same number of emits.
    socket.to(room).emit('message_notification', { conversationId: p.conversationId, message: msg });
    ok(ack, { message: msg });
  });
  socket.on('join_employee_room', (_p, ack) => { socket.join('employees'); ok(ack, { joined: true }); });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
