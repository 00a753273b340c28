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

from .. import db, realtime
from . import embedded_db, eventlet_patches

log = logging.getLogger("gharbazaar.server")
SHUTDOWN_EVENT = "server:shutdown"
# Every idle socket is a few hundred long-lived objects, and a full collection walks them all:
# with the default 10, connecting 1,000 sockets ran six of them (~1 s of CPU, more as sockets
# grow). Young collections, which free nearly all garbage, keep their default pace.
GC_THRESHOLDS = (700, 10, 100)
CLOSE_BUDGET_S = 0.5


def when_serving(app, task):
    """Run task(app) once the process serves (background loops that only a real server runs)."""
    app.extensions.setdefault("gharbazaar.when_serving", []).append(task)


def every(seconds_setting, work, what):
    """Return a when_serving task running work() in an app context every app.config[seconds_setting]
    seconds; a failure (the database away) is logged and the next round tries again."""
    def start(app):
        if app.extensions.get(("gharbazaar.every", what)):
            return
        app.extensions[("gharbazaar.every", what)] = True
        socketio = app.extensions["socketio"]

        def loop():
            while True:
                socketio.sleep(app.config[seconds_setting])
                with app.app_context():
                    try:
                        work()
                    except Exception:
                        log.warning("%s failed", what, exc_info=True)

        socketio.start_background_task(loop)
    return start


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
    eventlet_patches.install()
    for task in app.extensions.get("gharbazaar.when_serving", ()):
        task(app)
    server = eventlet.spawn(
        eventlet.wsgi.server, listener, app, max_size=config["MAX_CONNECTIONS"],
        log_output=False, socket_timeout=None, debug=False, protocol=eventlet_patches.http_protocol(config))

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


def _shutdown(app, server, in_flight, signame):
    """Drain and exit 0."""
    import eventlet

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
        eventlet.sleep(0.02)
    if in_flight.count:
        log.warning("drain timed out", extra={"fields": {"in_flight": in_flight.count}})
    eventlet.kill(server, SystemExit)
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
