"""Browser test helpers: the page server (the frontend's origin) and one user's page in Chromium."""
import functools
import threading
import uuid
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from tests.support import TEST_SECRET, ServerProcess

STATIC = Path(__file__).resolve().parent / "static"
WAIT_MS = 10_000
OWN_TOKEN = object()
TICKET = {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": "My refund never arrived."}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class PageServer:
    """The static page in a thread on 127.0.0.1, reachable as localhost (trusted) or 127.0.0.1 (not)."""

    def __init__(self, directory=STATIC):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.origin = f"http://localhost:{self.port}"
        self.foreign_origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


@dataclass
class Answer:
    """A REST answer as the page's fetch saw it."""

    status: int
    body: object

    @property
    def data(self):
        return self.body["data"]


class UserPage:
    """One user's tab (in a browser context of its own): fetch and socket.io-client from the page."""

    def __init__(self, page, user, role, token):
        self.page, self.id, self.role, self.token = page, user, role, token

    def js(self, expression, *args):
        return self.page.evaluate(expression, list(args))

    def attempt(self, method, path, body=None):
        """Call the API with this user's token; return the raw outcome, a rejected fetch's error included."""
        return self.js("([m, p, t, b]) => gb.attempt(m, p, t, b)", method, path, self.token, body)

    def api(self, method, path, body=None):
        """Call the API from the page with this user's token; fail if the fetch itself is rejected."""
        got = self.attempt(method, path, body)
        assert got["rejected"] is None, f"{method} {path} rejected in the browser: {got}"
        return Answer(got["status"], got["body"])

    def upload(self, path, fields=None, file_name="photo.png", width=8, height=6):
        """POST a canvas-drawn PNG as multipart `file` (plus fields) with this user's token."""
        got = self.js("([p, t, f, n, w, h]) => gb.upload(p, t, f, n, w, h)", path, self.token, fields or {},
                      file_name, width, height)
        return Answer(got["status"], got["body"])

    def show_image(self, url):
        return self.js("([u]) => gb.showImage(u)", url)

    def connect(self, name="main", token=OWN_TOKEN, **options):
        """Open io(API, {auth: {token}}) with this user's token, another, or none (token=None)."""
        token = self.token if token is OWN_TOKEN else token
        return self.js("([n, t, o]) => gb.connect(n, t, o)", name, token, options)

    def connected(self, name="main"):
        """Connect, then wait until socket.io-client has upgraded from polling to websocket."""
        result = self.connect(name)
        assert result["connected"], f"{self.id} could not connect: {result}"
        self._wait("([n]) => gb.state(n).upgradedTo === 'websocket'", [name], f"websocket upgrade on {name}")
        return self.state(name)

    def emit(self, event, payload=None, name="main"):
        """Emit with an ack callback and return the ack."""
        return self.js("([n, e, p]) => gb.emit(n, e, p === null ? undefined : p)", name, event, payload)

    def send(self, event, payload=None, name="main"):
        self.js("([n, e, p]) => gb.send(n, e, p)", name, event, payload)

    def settle(self, name="main"):
        """Round-trip on this socket, so everything sent to it before has arrived."""
        ack = self.emit("presence:heartbeat", {}, name)
        assert ack.get("success") is True, ack

    def wait_for(self, event, count=1, name="main", timeout=WAIT_MS):
        """Wait until `count` events of this name arrived; return all their payloads."""
        self._wait("([n, e, c]) => gb.count(n, e) >= c", [name, event, count], f"{count} x {event!r}",
                   timeout)
        return self.received(event, name)

    def received(self, event, name="main"):
        return self.js("([n, e]) => gb.received(n, e)", name, event)

    def state(self, name="main"):
        return self.js("([n]) => gb.state(n)", name)

    def _wait(self, predicate, arg, what, timeout=WAIT_MS):
        try:
            self.page.wait_for_function(predicate, arg=arg, timeout=timeout)
        except PlaywrightError:
            states = self.js("() => Object.keys(gb.sockets).map((n) => [n, gb.state(n)])")
            raise AssertionError(f"{self.id}: no {what} within {timeout} ms; sockets: {states}") from None


def start_backend(mongo_uri, page_server, **env):
    """A real `python wsgi.py` whose FRONTEND_URL is exactly the page's origin."""
    return ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbbrowser_{uuid.uuid4().hex[:10]}",
        "JWT_SECRET": TEST_SECRET, "FRONTEND_URL": page_server.origin, **env}).wait_listening()
