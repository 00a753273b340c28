"""Test helpers: tokens, a real server process, and a recording Socket.IO client."""
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import jwt
import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]  # the repository: tests/support/__init__.py -> ../../
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0001"
FRONTEND_ORIGIN = "http://localhost:3000"


def app_settings(mongo_uri, db_name, **overrides):
    """Settings of an in-process test app on `db_name`; keyword overrides win."""
    settings = {
        "TESTING": True,
        "APP_ENV": "test",
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
        "JWT_SECRET": TEST_SECRET,
        "JWT_ISSUER": None,
        "JWT_AUDIENCE": None,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SOCKETIO_ASYNC_MODE": "threading",
        "FRONTEND_URL": ["http://localhost:3000"],
    }
    settings.update(overrides)
    return settings


def unique(prefix="u"):
    """Return an id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_token(user="u1", role="buyer", secret=TEST_SECRET, ttl=3600, algorithm="HS256",
               headers=None, **claims):
    """Return a signed token shaped like the auth service's; claims=None drops a claim."""
    body = {"userId": user, "email": f"{user}@example.com", "role": role,
            "exp": int(time.time()) + ttl}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, secret, algorithm=algorithm, headers=headers)


def auth(token):
    """Return the REST Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def run_python(code, *args):
    """Run code in a fresh Python child (what it patches stays out of this process); assert it exits 0."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def freeze(process):
    """SIGSTOP a child process and return once it has stopped (the signal takes effect a moment
    later, and a request sent in that moment is still answered)."""
    process.send_signal(signal.SIGSTOP)
    os.waitpid(process.pid, os.WUNTRACED)


class ServerProcess:
    """`python wsgi.py` in a child process, with its log lines captured."""

    def __init__(self, env, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines = []
        self._listening = threading.Event()
        self._exited = threading.Event()
        full_env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "REDIS_URL")}
        full_env.update({"PORT": str(self.port), "HOST": "127.0.0.1", "LOG_LEVEL": "INFO",
                         "PYTHONUNBUFFERED": "1"})
        full_env.update({k: str(v) for k, v in env.items() if v is not None})
        self.process = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=full_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if '"msg": "listening"' in line:
                self._listening.set()
        self._exited.set()

    def wait_listening(self, timeout=30):
        """Block until the server logs that it listens; fail with its output otherwise."""
        if not self._listening.wait(timeout) or self.process.poll() is not None:
            self.stop()
            raise AssertionError("server did not start:\n" + self.output())
        return self

    def wait_exit(self, timeout):
        """Return the exit status, or None if the process is still running after timeout."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def output(self):
        self._exited.wait(2) if self.process.poll() is not None else None
        return "\n".join(self.lines)

    def get(self, path, **kwargs):
        return requests.get(self.url + path, timeout=10, **kwargs)

    def post(self, path, **kwargs):
        return requests.post(self.url + path, timeout=10, **kwargs)

    def delete(self, path, **kwargs):
        return requests.delete(self.url + path, timeout=10, **kwargs)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            if self.wait_exit(15) is None:
                self.process.kill()
                self.process.wait()


class Recorder:
    """A real python-socketio client that records every event it receives."""

    def __init__(self, url, token=None, namespace="/", transports=("websocket",), headers=None,
                 auth_payload=None):
        self.url, self.namespace = url, namespace
        self.events = queue.Queue()
        self.seen = []
        self.connect_error = None
        # websocket-client would add an Origin of its own beside ours: one header, like a browser.
        self.client = socketio.Client(reconnection=False,
                                      websocket_extra_options={"suppress_origin": True})
        self.client.on("*", self._record, namespace=namespace)
        self.client.on("connect_error", self._refused, namespace=namespace)
        self.client.on("disconnect", lambda *a: self._record("__disconnect__", a), namespace=namespace)
        self._auth = auth_payload if auth_payload is not None else ({"token": token} if token else None)
        self._transports = list(transports)
        # Browsers send their page's origin; the frontend's is the one FRONTEND_URL allows.
        self._headers = {"Origin": FRONTEND_ORIGIN, **(headers or {})}

    def _record(self, event, *args):
        item = (event, args[0] if args else None)
        self.seen.append(item)
        self.events.put(item)

    def _refused(self, data=None):
        self.connect_error = data

    def connect(self):
        """Connect; return True on success, False when the server refused."""
        try:
            self.client.connect(self.url, auth=self._auth, namespaces=[self.namespace],
                                transports=self._transports, headers=self._headers, wait_timeout=10)
            return True
        except socketio.exceptions.ConnectionError:
            return False

    def emit(self, event, data=None, ack=True, timeout=10):
        """Emit; with ack, wait for and return the server's acknowledgement."""
        if ack:
            return self.client.call(event, data, namespace=self.namespace, timeout=timeout)
        self.client.emit(event, data, namespace=self.namespace)
        return None

    def wait_for(self, event, timeout=10, where=lambda data: True):
        """Return the payload of the next matching event; fail after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event!r} within {timeout}s; saw {self.seen!r}")
            try:
                name, data = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if name == event and where(data):
                return data

    def received(self, event):
        return [data for name, data in self.seen if name == event]

    def close(self):
        if self.client.connected:
            self.client.disconnect()
