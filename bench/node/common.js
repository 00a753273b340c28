'use strict';
// Shared by the load generator and the reference server: HS256 tokens, a log histogram, time.
const crypto = require('crypto');

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function sign(claims, secret) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

function verify(token, secret) {
  if (typeof token !== 'string') return null;
  const [head, body, sig] = token.replace(/^Bearer /, '').split('.');
  if (!sig) return null;
  const want = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return null;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  return claims.exp && claims.exp * 1000 < Date.now() ? null : claims;
}

// Wall-clock milliseconds with sub-ms resolution: comparable between processes on one machine.
const now = () => performance.timeOrigin + performance.now();

// Latencies in buckets ~2% wide (index = floor(50 * ln(microseconds))), mergeable across processes.
class Hist {
  constructor() { this.buckets = {}; this.count = 0; }
  add(ms) {
    const i = Math.floor(50 * Math.log(Math.max(ms * 1000, 1)));
    this.buckets[i] = (this.buckets[i] || 0) + 1;
    this.count += 1;
  }
  toJSON() { return this.buckets; }
}

// A message body of `size` characters that carries its send time (and an optional tag).
function stamp(size, tag = '') {
  const head = `bench ${now().toFixed(3)} ${tag} `;
  return head + 'x'.repeat(Math.max(0, size - head.length));
}
const stampTime = (text) => parseFloat(String(text).split(' ')[1]);

module.exports = { sign, verify, now, Hist, stamp, stampTime };
