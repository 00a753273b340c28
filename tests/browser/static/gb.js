// The frontend's habits, for tests/browser: fetch with Authorization and JSON on every call, and
// socket.io-client with its default transports, recording everything each socket receives.
"use strict";

const API = new URLSearchParams(location.search).get("api");
const REQUEST_TIMEOUT_MS = 10000;

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function answer(response) {
  return {status: response.status, body: parse(await response.text())};
}

function pngBlob(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const paint = canvas.getContext("2d");
  paint.fillStyle = "#c0392b";
  paint.fillRect(0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

function recorder(name) {
  const rec = window.gb.sockets[name];
  if (!rec) throw new Error(`no socket named ${name}`);
  return rec;
}

window.gb = {
  base: API,
  sockets: {},

  // Like the frontend: both headers on every call, GETs included, so every call is preflighted.
  async api(method, path, token, body) {
    const init = {
      method,
      headers: {"Authorization": `Bearer ${token}`, "Content-Type": "application/json"},
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    };
    if (body !== undefined && body !== null) init.body = JSON.stringify(body);
    return answer(await fetch(API + path, init));
  },

  // The same call, reporting a rejected fetch (CORS, network) instead of throwing it.
  async attempt(method, path, token, body) {
    try {
      return {rejected: null, ...(await window.gb.api(method, path, token, body))};
    } catch (err) {
      return {rejected: err.name, message: err.message};
    }
  },

  // A real PNG drawn on a canvas, sent as multipart with the other form fields.
  async upload(path, token, fields, fileName, width, height) {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields || {})) form.append(key, value);
    form.append("file", await pngBlob(width, height), fileName);
    const init = {method: "POST", headers: {"Authorization": `Bearer ${token}`}, body: form,
                  signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)};
    return answer(await fetch(API + path, init));
  },

  // As the frontend's chat upload: XMLHttpRequest, whose failure it shows as `xhr.statusText` alone.
  xhrUpload(path, token, fields, size) {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields || {})) form.append(key, value);
    form.append("file", new Blob([new Uint8Array(size)], {type: "image/png"}), "big.png");
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.addEventListener("load", () => resolve({status: xhr.status, statusText: xhr.statusText,
                                                  body: parse(xhr.responseText)}));
      xhr.addEventListener("error", () => resolve({status: 0, statusText: "", body: null}));
      xhr.open("POST", API + path);
      xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.send(form);
    });
  },

  // Show a link in a plain <img> (no headers, no CORS mode) and report what the browser decoded.
  showImage(url) {
    return new Promise((resolve) => {
      const img = document.createElement("img");
      const done = (loaded) => resolve({loaded, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight});
      img.onload = () => done(true);
      img.onerror = () => done(false);
      document.getElementById("images").append(img);
      img.src = url;
    });
  },

  // io(API, {auth: {token}}) with the client's defaults; settles on connect or connect_error.
  connect(name, token, options) {
    const settings = {...(token === null ? {} : {auth: {token}}), ...(options || {})};
    const socket = io(API, settings);
    const rec = {socket, events: [], connectErrors: [], disconnects: [], connects: 0, upgradedTo: null};
    window.gb.sockets[name] = rec;
    socket.onAny((event, ...args) => rec.events.push({event, data: args[0]}));
    socket.io.on("open", () => socket.io.engine.on("upgrade", (transport) => {
      rec.upgradedTo = transport.name;
    }));
    socket.on("disconnect", (reason) => rec.disconnects.push(reason));
    return new Promise((resolve) => {
      socket.on("connect", () => {
        rec.connects += 1;
        resolve({connected: true, error: null});
      });
      socket.on("connect_error", (err) => {
        rec.connectErrors.push(err.message);
        resolve({connected: false, error: err.message});
      });
    });
  },

  // Emit with an ack callback; the ack, or {timedOut: true} when none came.
  async emit(name, event, payload, timeoutMs) {
    const socket = recorder(name).socket.timeout(timeoutMs || REQUEST_TIMEOUT_MS);
    try {
      return await (payload === undefined ? socket.emitWithAck(event) : socket.emitWithAck(event, payload));
    } catch (err) {
      return {timedOut: true, error: err.message};
    }
  },

  // Emit without an ack, as the original frontend does.
  send(name, event, payload) {
    recorder(name).socket.emit(event, payload);
  },

  // One typing event per keystroke at a held key's pace; resolves with how many were sent.
  holdKey(name, conversationId, perSecond, durationMs) {
    const socket = recorder(name).socket;
    let sent = 0;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        socket.emit("typing", {conversationId, isTyping: true});
        sent += 1;
      }, 1000 / perSecond);
      setTimeout(() => {
        clearInterval(timer);
        resolve(sent);
      }, durationMs);
    });
  },

  count(name, event) {
    return recorder(name).events.filter((e) => e.event === event).length;
  },

  received(name, event) {
    return recorder(name).events.filter((e) => e.event === event).map((e) => e.data);
  },

  state(name) {
    const rec = recorder(name);
    const engine = rec.socket.io.engine;
    return {
      connected: rec.socket.connected, connects: rec.connects, transport: engine ? engine.transport.name : null,
      upgradedTo: rec.upgradedTo, disconnects: rec.disconnects, connectErrors: rec.connectErrors,
      events: rec.events.map((e) => e.event),
    };
  },

  close(name) {
    recorder(name).socket.disconnect();
  },
};
