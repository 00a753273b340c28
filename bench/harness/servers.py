"""Starting the servers under test: the backend, the Node reference, the echo, SecantusDB, Redis."""
import os
import shutil
import socket
import time

import requests

from .procs import Proc, free_port

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCH)
VENV_BIN = os.path.join(REPO, ".venv", "bin")
NODE = shutil.which("node") or "node"
FRONTEND = "http://localhost:3000"
UNLIMITED = "1000000 per second"
# Rate limits protect production from abuse; the benchmark measures the work, not the limiter's refusals.
BENCH_LIMITS = {name: UNLIMITED for name in (
    "RATE_LIMIT_REST", "RATE_LIMIT_MESSAGES", "RATE_LIMIT_CONVERSATIONS", "RATE_LIMIT_UPLOADS",
    "RATE_LIMIT_SOCKET_EVENTS", "RATE_LIMIT_SOCKET_TYPING", "RATE_LIMIT_TYPING")}
# The production per-connection socket limits (gharbazaar/config.py), for a scenario that measures them.
SOCKET_LIMITS = {"RATE_LIMIT_SOCKET_EVENTS": "20 per second", "RATE_LIMIT_SOCKET_FLOOD": "100 per 10 seconds",
                 "RATE_LIMIT_SOCKET_TYPING": "60 per second"}
# The backend's SOCKETIO_ASYNC_MODE (bench/run.py --async-mode): eventlet, production's, unless told.
ASYNC_MODES = ("eventlet",)
ASYNC_MODE = "eventlet"


def wait_port(port, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{proc.name} did not listen on {port}:\n{proc.tail()}")


def wait_http(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{proc.name} not ready at {url}:\n{proc.tail()}")


def secantus():
    """Start an in-memory SecantusDB; return (proc, uri)."""
    port = free_port()
    proc = Proc("secantusdb", "db", [os.path.join(VENV_BIN, "secantusd-py"), "--host", "127.0.0.1", "--port",
                                     str(port), "--storage-path", ":memory:", "--log-level", "WARNING",
                                     "--standalone"])
    wait_port(port, proc)
    return proc, f"mongodb://127.0.0.1:{port}/?directConnection=true"


def redis_server():
    """Start a private Redis (its pub/sub is not shared with other test runs); None if unavailable."""
    binary = shutil.which("redis-server")
    if not binary:
        return None, None
    port = free_port()
    proc = Proc("redis", "redis", [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--loglevel", "warning"])
    wait_port(port, proc)
    return proc, f"redis://127.0.0.1:{port}/0"


def app(name, mongo_uri, db_name, secret, redis_url=None, overrides=None):
    """Start `python wsgi.py` (on ASYNC_MODE) with DB_METRICS on; return (proc, url).

    overrides: the scenario's own settings (say, limits not lifted), applied last."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI")}
    env.update(BENCH_LIMITS)
    env.update({"APP_ENV": "test", "PORT": str(port), "HOST": "127.0.0.1", "JWT_SECRET": secret,
                "MONGODB_URI": mongo_uri, "MONGODB_DB": db_name, "DB_METRICS": "on", "LOG_LEVEL": "WARNING",
                "FRONTEND_URL": FRONTEND, "MAX_SOCKETS_PER_USER": "1000", "SHUTDOWN_TIMEOUT_S": "1",
                "PYTHONUNBUFFERED": "1", "SOCKETIO_ASYNC_MODE": ASYNC_MODE})
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(overrides or {})
    command = [os.path.join(VENV_BIN, "python"), "wsgi.py"]
    if os.environ.get("BENCH_SERVER_CPUS"):  # pin the backend (docs/performance.md: CPU per message)
        command = ["taskset", "-c", os.environ["BENCH_SERVER_CPUS"]] + command
    proc = Proc(name, "server", command, env=env, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    return wait_http(url + "/api/v1/health", proc), url


def reference(secret):
    """Start the minimal Node socket.io 4.8 server; return (proc, url)."""
    port = free_port()
    env = dict(os.environ, JWT_SECRET=secret, FRONTEND_URL=FRONTEND)
    proc = Proc("node-ref", "server", [NODE, os.path.join(BENCH, "node", "refserver.js"), str(port)], env=env)
    return wait_port(port, proc), f"http://127.0.0.1:{port}"


def echo():
    """Start the raw websocket echo server; return (proc, ws url)."""
    port = free_port()
    proc = Proc("ws-echo", "server", [NODE, os.path.join(BENCH, "node", "echo.js"), str(port)])
    return wait_port(port, proc), f"ws://127.0.0.1:{port}"


def db_commands(url, part="commands"):
    """Return {command: count} of one backend process (DB_METRICS=on); part="waited": time per collection."""
    body = requests.get(url + "/api/v1/health/db-commands", timeout=10).json()
    return body["data"][part]
