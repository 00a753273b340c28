"""Socket events without per-event work that does not depend on the event.

Flask-SocketIO runs every event inside a full Flask request context built from the handshake's
environ: a URL adapter bound to it, the handshake's path matched against every rule, and the
cookie session opened. Event handlers need none of that (they read `request.sid`, `.namespace`,
`.event`, `current_app` and `g`, and build links with `url_for`), so events other than `connect`
(which reads the handshake's headers) get a request context with the socket's URL adapter bound
once, no URL matching and no session. python-socketio also built a
JSON encoder for every packet it encoded (`json.dumps(data, separators=...)`): one is kept.
"""
import json
import sys

from flask import request
from flask.ctx import RequestContext, _sentinel
from flask.globals import _cv_request
from flask.json.provider import _default as flask_default
from flask_socketio import ConnectionRefusedError, SocketIO


class CompactJSON:
    """The `json` module python-socketio encodes packets with: one encoder, built once."""

    _encoder = json.JSONEncoder(separators=(",", ":"), default=flask_default)

    @classmethod
    def dumps(cls, obj, **_options):  # python-socketio always asks for compact separators
        return cls._encoder.encode(obj)

    loads = staticmethod(json.loads)


_ADAPTER = "gharbazaar.url_adapter"


class _EventContext(RequestContext):
    """A request context for one socket event: the handshake's environ, no routing, no session."""

    def __init__(self, app, environ, session):
        request_ = app.request_class(environ)
        request_.json_module = app.json
        self.app = app
        self.request = request_
        # Bound once per socket (url_for builds links, a file message's download link); never matched.
        self.url_adapter = environ.get(_ADAPTER)
        if self.url_adapter is None:
            self.url_adapter = environ[_ADAPTER] = app.create_url_adapter(request_)
        self.flashes = None
        self._session = session
        self._after_request_functions = []
        self._cv_tokens = []

    def match_request(self):
        """No URL to match: the handshake's path names no view a socket event runs."""

    def pop(self, exc=_sentinel):
        """RequestContext.pop without the requests' teardown (flask-limiter's, the only one, has
        nothing to release after a socket event: REST limits never run on one)."""
        token, app_ctx = self._cv_tokens.pop()
        _cv_request.reset(token)
        if not self._cv_tokens:
            self.request.environ["werkzeug.request"] = None
        if app_ctx is not None:
            app_ctx.pop(exc)


class LeanSocketIO(SocketIO):
    """SocketIO whose events (not `connect`) run in an `_EventContext`."""

    def _handle_event(self, handler, message, namespace, sid, *args):
        if message == "connect":
            return super()._handle_event(handler, message, namespace, sid, *args)
        environ = self.server.get_environ(sid, namespace=namespace)
        if not environ:  # no record of this client: ignored, as Flask-SocketIO does
            return "", 400
        app = environ["flask.app"]
        session = app.extensions.get("gharbazaar.null_session")
        if session is None:
            session = app.extensions["gharbazaar.null_session"] = app.session_interface.make_null_session(app)
        with _EventContext(app, environ, session):
            request.sid = sid
            request.namespace = namespace
            request.event = {"message": message, "args": args}
            try:
                return handler(*args)
            except ConnectionRefusedError:
                raise
            except Exception:
                err_handler = self.exception_handlers.get(namespace, self.default_exception_handler)
                if err_handler is None:
                    raise
                return err_handler(sys.exc_info()[1])
