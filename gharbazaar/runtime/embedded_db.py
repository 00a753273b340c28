"""The development default database: a SecantusDB server run as a child process.

SecantusDB is GPL-2.0 and a beta: it is only ever run as a separate program
(`secantusd-py`, installed by requirements-dev.txt), never imported.
"""
import atexit
import logging
import os
import shutil
import signal
import socket
import subprocess  # nosec B404
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1


class EmbeddedDatabaseError(RuntimeError):
    """The embedded database could not be started."""


def free_port():
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    # Linux: the child gets SIGTERM if this process dies without cleaning up.
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def executable():
    """Return the path of the secantusd-py launcher, or None when not installed."""
    beside = Path(sys.executable).with_name("secantusd-py")
    return str(beside) if beside.exists() else shutil.which("secantusd-py")


def start(storage_path, port=None, timeout=20.0):
    """Start SecantusDB on 127.0.0.1; return (process, mongodb_uri) once it answers."""
    program = executable()
    if program is None:
        raise EmbeddedDatabaseError(
            "MONGODB_URI is unset and SecantusDB is not installed: "
            "run `make run` (installs requirements-dev.txt) or set MONGODB_URI")
    if storage_path != ":memory:":
        Path(storage_path).mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    # A fixed argv and no shell: nothing from a user reaches this command line. Standalone: as a
    # single-node replica set (its default) it keeps an oplog and pymongo sends every write as
    # retryable, whose bookkeeping grows with every write the process has seen; the backend uses
    # neither transactions nor change streams.
    process = subprocess.Popen(  # nosec B603
        [program, "--host", "127.0.0.1", "--port", str(port), "--storage-path", storage_path,
         "--log-level", "WARNING", "--standalone"],
        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent if os.name == "posix" else None,
    )
    _wait_until_listening(process, port, timeout)
    return process, f"mongodb://127.0.0.1:{port}/?directConnection=true"


def _wait_until_listening(process, port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedDatabaseError(f"SecantusDB exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)  # polling a child's port: there is no event to wait on
    stop(process)
    raise EmbeddedDatabaseError(f"SecantusDB did not listen on port {port} within {timeout:.0f}s")


def stop(process, timeout=10.0):
    """Stop the child politely (SIGTERM lets WiredTiger checkpoint), then firmly."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_for_development(storage_path):
    """Start the embedded database, stopped at exit; return the config overrides for it."""
    process, uri = start(storage_path)
    atexit.register(stop, process)
    return {"MONGODB_URI": uri, "MONGODB_DB": "gharbazaar", "EMBEDDED_DB_PROCESS": process}
