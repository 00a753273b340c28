"""The production server: eventlet WSGI with the settings Socket.IO needs, and a clean SIGTERM.

Why not `socketio.run()`: it leaves Nagle on (a ~40 ms stall on ack + event pairs),
caps connections at 1,024 and binds with SO_REUSEPORT (a second server on the same port
starts silently); and it has no drain on SIGTERM.
"""
import gc
import logging
import os
import signal
import socket
import time

import pymongo
from pymongo.errors import PyMongoError
from werkzeug.wsgi import ClosingIterator
from wsproto.frame_protocol import XorMaskerSimple

from . import db, embedded_db, realtime

log = logging.getLogger("gharbazaar.server")
SHUTDOWN_EVENT = "server:shutdown"
# Every idle socket is a few hundred long-lived objects, and a full collection walks them all:
# with the default 10, connecting 1,000 sockets ran six of them (~1 s of CPU, more as sockets
# grow). Young collections, which free nearly all garbage, keep their default pace.
GC_THRESHOLDS = (700, 10, 100)
CLOSE_BUDGET_S = 0.5
MALFORMED_REQUEST = '{"success": false, "error": "Malformed request", "code": "validation_error"}'


def listen(host, port, backlog=2048):
    """Return a listening TCP socket with TCP_NODELAY (inherited by accepted sockets)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def drain(app):
    """Tell every socket the server is going away, then close their transports.

    Closing at the Engine.IO level (not a Socket.IO disconnect) makes socket.io-client
    reconnect by itself, to another process behind the load balancer.
    """
    app.extensions["draining"] = True
    socketio = app.extensions["socketio"]
    with app.app_context():
        for namespace in realtime.NAMESPACES:
            # ignore_queue: this process's sockets only, not every process's through Redis.
            socketio.emit(SHUTDOWN_EVENT, {"message": "Server restarting. Reconnecting...",
                                           "reconnect": True}, namespace=namespace, ignore_queue=True)
        eio = socketio.server.eio
        # eio.disconnect() waits for each queue to drain, and a polling client that has
        # read the CLOSE packet never polls again: close without waiting instead.
        for engine_socket in list(eio.sockets.values()):
            engine_socket.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)


def run(app):
    """Serve the app until SIGTERM or SIGINT, then drain and exit 0."""
    import eventlet
    import eventlet.event
    import eventlet.wsgi

    config = app.config
    in_flight, listener = prepare(app)
    fast_unmasking()
    timer_pings()
    long_header_lines()
    server = eventlet.spawn(
        eventlet.wsgi.server, listener, app, max_size=config["MAX_CONNECTIONS"],
        log_output=False, socket_timeout=None, debug=False, protocol=_protocol(config))

    stop = eventlet.event.Event()

    def on_signal(signum, _frame):
        if not stop.ready():
            stop.send(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.link(lambda _thread: stop.ready() or stop.send(None))
    signame = stop.wait()
    if signame is None:
        log.error("the accept loop ended unexpectedly")
        _exit(app, 1)
    _shutdown(app, server, in_flight, signame)


def prepare(app):
    """Count the app's responses in flight and open the listening socket: (in_flight, listener)."""
    config = app.config
    in_flight = InFlight(app.wsgi_app)
    app.wsgi_app = in_flight
    listener = listen(config["HOST"], config["PORT"])
    _tune_gc()
    log.info("listening", extra={"fields": {
        "host": config["HOST"], "port": config["PORT"], "env": config["APP_ENV"],
        "async_mode": config["SOCKETIO_ASYNC_MODE"]}})
    return in_flight, listener


def _tune_gc():
    """Leave what start-up built out of every collection, and make full collections rarer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _protocol(config):
    """Return eventlet's HTTP protocol with one-page buffers and time limits on slow clients."""
    import eventlet
    import eventlet.wsgi

    head_s, io_s = config["HTTP_HEAD_TIMEOUT_S"], config["HTTP_IO_TIMEOUT_S"]

    class Protocol(eventlet.wsgi.HttpProtocol):
        # eventlet's are 16 KiB to write and 8 KiB to read, and a websocket keeps its connection's
        # for life though it never uses them after the upgrade: ~20 KiB per idle socket. Longer
        # request heads and responses still pass, in a few more system calls.
        rbufsize = wbufsize = 4096
        # http.server's own refusals (a request line it cannot split, such as one holding a raw
        # non-breaking space) answer the JSON envelope too, not an HTML page.
        error_message_format = MALFORMED_REQUEST
        error_content_type = "application/json"

        def handle_one_request(self):
            # One deadline for the whole head, idle keep-alive included: a per-read timeout alone
            # lets a client that sends a byte now and then hold its connection (and a slot) forever.
            self.head_timer = eventlet.Timeout(head_s)
            try:
                super().handle_one_request()
            except eventlet.Timeout as exc:
                if exc is not self.head_timer:
                    raise
                self.close_connection = 1
            finally:
                self.head_timer.cancel()

        def handle_one_response(self):
            self.head_timer.cancel()
            # A websocket's liveness is Engine.IO's ping timeout; anything else may wait io_s per
            # read of its body or write of its answer (a long-poll waits without reading or writing).
            upgrade = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
            self.connection.settimeout(None if upgrade else io_s)
            return super().handle_one_response()

    return Protocol


def long_header_lines():
    """Let one header line be as long as eventlet lets the whole request head be (64 KiB)."""
    import eventlet.wsgi

    # eventlet refuses a header line of 8 KiB or more with a bare `400 Header Line Too Long`
    # before the app runs: an oversized token got that instead of the contract's JSON 401. The
    # head as a whole stays capped (MAX_TOTAL_HEADER_SIZE), so a request costs no more memory.
    eventlet.wsgi.MAX_HEADER_LINE = eventlet.wsgi.MAX_TOTAL_HEADER_SIZE


def unmask(data, mask, length=None, offset=0):
    """Return websocket payload bytes XORed with the 4-byte mask, starting at mask byte `offset`."""
    key = bytes(mask)
    key = key[offset % 4:] + key[:offset % 4]
    return bytes(XorMaskerSimple(key).process(data if length is None else data[:length]))


def fast_unmasking():
    """Unmask client frames with wsproto's translate tables instead of eventlet's byte loop."""
    import eventlet.websocket

    # Every frame a browser sends is masked, and eventlet unmasks it one byte at a time in Python:
    # 20 us for a 150-byte event (wsproto: 1.9 us), 16 ms for a 100 KB one (78 us), so a flood of
    # frames, or of large ones, kept the process busy on it alone. wsproto is simple-websocket's
    # dependency, pinned beside it.
    eventlet.websocket.RFC6455WebSocket._apply_mask = staticmethod(unmask)


def timer_pings():
    """Wait out Engine.IO's ping interval on a hub timer, not in a sleeping green thread per socket."""
    import eventlet
    from engineio import packet
    from engineio import socket as engine_socket

    # python-engineio starts a green thread per socket that sleeps the 25 s interval, then pings:
    # its saved stack is ~8 KiB per idle socket, where a pending timer is ~1.4 KiB. Same rule as
    # Socket.schedule_ping (one wait at a time, none once the socket closes), same packets.
    def schedule_ping(sock):
        if sock.last_ping:
            sock.last_ping = None
            eventlet.spawn_after(sock.server.ping_interval, ping, sock)

    def ping(sock):
        if not sock.closing and not sock.closed:
            sock.last_ping = time.time()
            sock.send(packet.Packet(packet.PING))

    engine_socket.Socket.schedule_ping = schedule_ping


def _shutdown(app, server, in_flight, signame):
    import eventlet

    shutdown(app, in_flight, signame, sleep=eventlet.sleep,
             stop_accepting=lambda: eventlet.kill(server, SystemExit))


def shutdown(app, in_flight, signame, sleep, stop_accepting):
    """Drain and exit 0; sleep and stop_accepting are the green-thread library's (eventlet, gevent)."""
    log.info("shutting down", extra={"fields": {"signal": signame}})
    deadline = time.monotonic() + app.config["SHUTDOWN_TIMEOUT_S"]
    # Order matters: new Socket.IO handshakes are refused (503: clients retry elsewhere),
    # open sockets are told and closed, requests in flight finish, and only then does the
    # accept loop stop (its exit cuts idle connections, websockets among them).
    in_flight.refuse_new_sockets = True
    # Each closed socket's disconnect bookkeeping (presence) writes to the database: one deadline
    # for all of them, so that a dead or hung database costs the drain this much once, not a
    # server-selection timeout per socket (15 sockets took 33 s).
    with pymongo.timeout(app.config["SHUTDOWN_DB_BUDGET_S"]):
        try:
            drain(app)
        except PyMongoError:  # only this process's bookkeeping; the presence sweep of others retires it
            log.warning("drain: database unavailable; socket bookkeeping left to the presence sweep")
    while in_flight.count and time.monotonic() < deadline:
        sleep(0.02)
    if in_flight.count:
        log.warning("drain timed out", extra={"fields": {"in_flight": in_flight.count}})
    stop_accepting()
    _exit(app, 0)


class InFlight:
    """WSGI middleware counting unfinished responses; refuses new sockets while draining."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.count = 0
        self.refuse_new_sockets = False

    def _done(self):
        self.count -= 1

    def __call__(self, environ, start_response):
        if self.refuse_new_sockets and _is_socket_handshake(environ):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "1")])
            return [b"server restarting"]
        self.count += 1
        try:
            body = self.wsgi_app(environ, start_response)
        except BaseException:
            self.count -= 1
            raise
        return ClosingIterator(body, self._done)


def _is_socket_handshake(environ):
    return (environ.get("PATH_INFO", "").startswith("/socket.io")
            and "sid=" not in environ.get("QUERY_STRING", ""))


def _exit(app, status):
    with pymongo.timeout(CLOSE_BUDGET_S):  # closing ends the client's sessions on the server
        db.close(app)
    embedded_db.stop(app.config.get("EMBEDDED_DB_PROCESS"))
    log.info("stopped", extra={"fields": {"status": status}})
    logging.shutdown()
    # The Redis message-queue listener and other background tasks would hold the process
    # for many seconds; everything worth saving is closed above.
    os._exit(status)
