"""The gevent runner (SOCKETIO_ASYNC_MODE=gevent), measured beside eventlet: docs/gevent.md.

It serves as server.run() does (same listening socket with TCP_NODELAY, same
connection cap, same SIGTERM drain); only the WSGI server differs: gevent's pywsgi.
"""
import logging
import signal

from .server import _exit, prepare, shutdown

log = logging.getLogger("gharbazaar.server")


def run(app):
    """Serve the app on gevent until SIGTERM or SIGINT, then drain and exit 0."""
    import gevent
    import gevent.event
    import gevent.pool
    from gevent import pywsgi

    config = app.config
    in_flight, listener = prepare(app)
    # Frames are capped at Engine.IO's packet limit, as eventlet's driver does (max_frame_length).
    handler = _handler_class(int(app.extensions["socketio"].server.eio.max_http_buffer_size))
    # A full pool stops the accept loop until a connection ends, as eventlet's max_size does.
    pool = gevent.pool.Pool(config["MAX_CONNECTIONS"])
    server = pywsgi.WSGIServer(listener, app, spawn=pool, handler_class=handler, log=None,
                               error_log=logging.getLogger("gharbazaar.gevent"))
    serving = gevent.spawn(server.serve_forever)

    stop = gevent.event.AsyncResult()

    def on_signal(signum):
        if not stop.ready():
            stop.set(signal.Signals(signum).name)

    # gevent's handlers run in a greenlet from the event loop, where setting `stop` is safe.
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, on_signal, signum)
    serving.link(lambda _greenlet: stop.ready() or stop.set(None))
    signame = stop.get()
    if signame is None:
        log.error("the accept loop ended unexpectedly")
        _exit(app, 1)
    _shutdown(app, server, in_flight, signame)


def _shutdown(app, server, in_flight, signame):
    import gevent

    shutdown(app, in_flight, signame, sleep=gevent.sleep, stop_accepting=lambda: server.stop(timeout=0))


def _handler_class(max_frame_bytes):
    """Return pywsgi's handler for the websocket library python-engineio chose.

    engineio uses gevent-websocket whenever it is importable (it is pinned: docs/gevent.md
    says why) and then needs its handler; without it, simple-websocket takes the socket from
    pywsgi's own handler (and no frame cap applies).
    """
    from engineio.async_drivers import gevent as engineio_gevent
    from gevent import pywsgi

    if engineio_gevent.SimpleWebSocketWSGI is not None:
        return pywsgi.WSGIHandler
    from geventwebsocket.handler import WebSocketHandler

    class Handler(WebSocketHandler):
        """gevent-websocket's handler, made to behave as eventlet's server does."""

        log_request = pywsgi.WSGIHandler.log_request  # honours log=None; upstream's logs every request

        def run_websocket(self):
            self.websocket.raw_read = _capped(self.websocket.raw_read, max_frame_bytes)
            respond = self.application

            def closing(environ, start_response):
                # Upstream iterates the response but never closes it, as WSGI requires:
                # InFlight would count each websocket forever and the drain would time out.
                result = respond(environ, start_response)
                try:
                    return list(result)
                finally:
                    getattr(result, "close", lambda: None)()

            self.application = closing
            super().run_websocket()

    return Handler


def _capped(read, max_bytes):
    """Wrap a websocket's payload read to refuse frames over max_bytes before reading them.

    eventlet refuses them (max_frame_length); gevent-websocket would read a frame of any
    announced length into memory, and engineio only checks the size afterwards. A refused
    frame ends the connection (gevent-websocket turns the error into a short read).
    """
    def capped_read(size):
        if size > max_bytes:
            raise ValueError(f"websocket frame of {size} bytes over the {max_bytes}-byte limit")
        return read(size)

    return capped_read
