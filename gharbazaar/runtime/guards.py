"""Socket.IO protocol guards python-socketio leaves to the application.

Ways a client could abuse the protocol itself, below any event handler:
- emitting a reserved event name (`connect`, `disconnect`, ...): python-socketio dispatches it
  to the application's own connect or disconnect handler for a socket that stays connected;
- announcing a binary packet with a huge number of attachments: every later frame of that
  socket is then buffered, without limit;
- opening Engine.IO sessions and never authenticating (socket.io's own server closes such a
  client after its connectTimeout; python-socketio has none);
- sending a frame that does not decode (`4x`, `42["send_message"`, a binary event announcing no
  attachments, a long-polling body that is not UTF-8): python-socketio logs a traceback per frame
  and keeps the socket, so a flood of them from one socket stalled every client (socket.io's own
  server closes the connection on a parse error, as this does);
- a long-polling request engine.io refuses: its `disconnect()` then waits for the client to poll
  once more, and one that never does held the request, its connection and a green thread for good;
- a websocket that floods frames: engine.io's read loop takes every buffered frame without giving
  way, so one socket held the whole process (26 s for /health), and it kept reading a socket
  already closed (548,330 frames after the first malformed one).
`install()` wraps the server instance's private methods named below; tests/core/test_guards.py
fails if an upgraded python-socketio renames or reshapes them.
"""
import logging
import time

from . import engineio_guards

log = logging.getLogger("gharbazaar.socket")
# Names socket.io clients and servers keep for themselves: never an application event.
RESERVED = frozenset({"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                      "removeListener"})
REFUSED_NAME = "(refused name)"  # what such an event is counted under: no handler has it
MAX_ATTACHMENTS = 10
BUSY_TEXT = b"Too many connections are being opened. Please retry."
# The private methods wrapped here, checked by the tests.
WRAPPED = ("_handle_event", "_handle_eio_message", "_handle_eio_connect", "_handle_connect",
           "_handle_eio_disconnect")
# What decoding a frame that is not Socket.IO raises in python-socketio and python-engineio.
MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


def install(app, socketio):
    """Guard the app's Socket.IO server and refuse handshakes past the pending cap."""
    server = socketio.server
    config = app.config
    pending = Pending(server, config["SOCKET_CONNECT_TIMEOUT_S"], socketio)
    _refuse_reserved_names(server)
    _bound_binary_packets(server, config["SOCKETIO_MAX_PAYLOAD_BYTES"])
    engineio_guards.install(server.eio, MALFORMED)
    pending.track()
    # Engine.IO calls the handlers python-socketio registered with it, not the attributes.
    for event in ("connect", "message", "disconnect"):
        server.eio.on(event, getattr(server, f"_handle_eio_{event}"))
    app.wsgi_app = _capped(app.wsgi_app, pending, config["MAX_PENDING_HANDSHAKES"])
    app.extensions["gharbazaar.pending_handshakes"] = pending


def _refuse_reserved_names(server):
    handle_event = server._handle_event

    def guarded(eio_sid, namespace, id, data):
        name = data[0] if isinstance(data, list) and data else None
        if not isinstance(name, str) or name in RESERVED:
            # No handler of ours runs, and no ack: it goes on under a name no handler has, so that
            # it counts against the connection's limits like any unknown event (one log line per
            # frame let a flood of them fill the logs, outside every limit).
            return handle_event(eio_sid, namespace, None, [REFUSED_NAME])
        return handle_event(eio_sid, namespace, id, data)

    server._handle_event = guarded


def _bound_binary_packets(server, max_bytes):
    handle_message = server._handle_eio_message

    def guarded(eio_sid, data):
        pending = server._binary_packet.get(eio_sid)
        if pending is not None:
            held = sum(len(part) for part in pending.attachments) + len(data)
            if held > max_bytes:
                return _drop(server, eio_sid, "binary attachments too large")
        try:
            handle_message(eio_sid, data)
        except MALFORMED as exc:  # one line, no traceback: a flood of these is the attack
            return _drop(server, eio_sid, f"malformed packet ({type(exc).__name__})")
        started = server._binary_packet.get(eio_sid)
        count = started.attachment_count if started is not None and started is not pending else 1
        if not 0 < count <= MAX_ATTACHMENTS:
            _drop(server, eio_sid, "a binary packet with no attachments or too many")

    server._handle_eio_message = guarded


def _drop(server, eio_sid, why):
    """Forget the socket's unfinished packet and close its connection."""
    server._binary_packet.pop(eio_sid, None)
    log.warning("socket closed: %s", why, extra={"fields": {"eio_sid": eio_sid}})
    close_session(server, eio_sid)


def close_session(server, eio_sid):
    """Close an Engine.IO session without waiting for its client to collect the close packet."""
    # engine.io's own disconnect() waits until the client has polled its last packets: for a
    # long-polling session that never polls again, forever, and the caller with it.
    session = server.eio.sockets.get(eio_sid)
    if session is not None:
        session.close(wait=False)
        server.eio.sockets.pop(eio_sid, None)


class Pending:
    """Engine.IO sessions with no namespace connected (not yet, or not any more), with their start."""

    def __init__(self, server, timeout_s, socketio):
        self.server, self.timeout_s, self.socketio = server, timeout_s, socketio
        self.started = {}
        self.sweeping = False

    def __len__(self):
        return len(self.started)

    def track(self):
        server = self.server
        eio_connect, connect, eio_disconnect = (server._handle_eio_connect, server._handle_connect,
                                                server._handle_eio_disconnect)

        def on_eio_connect(eio_sid, environ):
            self.started[eio_sid] = time.monotonic()
            self._sweep_soon()
            return eio_connect(eio_sid, environ)

        def on_connect(eio_sid, namespace, data):
            result = connect(eio_sid, namespace, data)
            if server.manager.sid_from_eio_sid(eio_sid, namespace or "/") is not None:
                self.started.pop(eio_sid, None)  # authenticated: an ordinary socket from now on
            return result

        def on_eio_disconnect(eio_sid, *args):
            try:
                return eio_disconnect(eio_sid, *args)
            finally:
                self.started.pop(eio_sid, None)  # after its namespaces left, which re-track it

        manager, leave = server.manager, server.manager.disconnect

        def on_leave(sid, namespace=None, **kwargs):
            # A session left with no namespace (the client sent a namespace disconnect, or the
            # server cut a socket off or expired its token) waits again like one that never
            # authenticated: counted and closed after the timeout unless it connects once more.
            # Otherwise it would hold its connection beyond every per-user and pending limit.
            eio_sid = manager.eio_sid_from_sid(sid, namespace or "/")
            result = leave(sid, namespace, **kwargs)
            session = server.eio.sockets.get(eio_sid) if eio_sid is not None else None
            if session is not None and not (session.closing or session.closed) and not any(
                    manager.sid_from_eio_sid(eio_sid, name) for name in list(manager.get_namespaces())):
                self.started.setdefault(eio_sid, time.monotonic())
                self._sweep_soon()
            return result

        server._handle_eio_connect, server._handle_connect = on_eio_connect, on_connect
        server._handle_eio_disconnect, manager.disconnect = on_eio_disconnect, on_leave

    def _sweep_soon(self):
        if self.sweeping:
            return
        self.sweeping = True
        self.socketio.start_background_task(self._sweep)

    def _sweep(self):
        """Close sessions that did not authenticate in time, checking every second while any wait."""
        try:
            while self.started:
                self.socketio.sleep(1)
                limit = time.monotonic() - self.timeout_s
                for eio_sid in [sid for sid, at in list(self.started.items()) if at <= limit]:
                    self.started.pop(eio_sid, None)
                    log.info("socket closed: no namespace connected in time",
                             extra={"fields": {"eio_sid": eio_sid}})
                    close_session(self.server, eio_sid)
        finally:
            self.sweeping = False


def _capped(wsgi_app, pending, cap):
    """Refuse new Engine.IO handshakes (503, the client retries) while too many wait to authenticate."""
    def serve(environ, start_response):
        if len(pending) >= cap and _is_handshake(environ):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "2")])
            return [BUSY_TEXT]
        return wsgi_app(environ, start_response)
    return serve


def _is_handshake(environ):
    return (environ.get("PATH_INFO", "").startswith("/socket.io")
            and "sid=" not in environ.get("QUERY_STRING", ""))
