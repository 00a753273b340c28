"""Killable real processes for fault tests: a database on a data directory, and a Redis server."""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

from gharbazaar.runtime import embedded_db
from tests.support import freeze, free_port
# The faults' database timeout (MONGODB_TIMEOUT_MS): short, so each fault's bound is quick to see.
DB_TIMEOUT_MS = 1000


def wait_until(check, timeout, what="condition", every=0.05):
    """Poll check() every `every` s until it returns a truthy value and return it; fail after timeout."""
    deadline, never_set = time.monotonic() + timeout, threading.Event()
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        # Processes and ports signal nothing to wait on: re-check until the deadline.
        never_set.wait(every)


def _listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class _Killable:
    """A child process that a test can kill -9, freeze (SIGSTOP), thaw and restart on its port."""

    name = "process"
    process = None

    def __init__(self, directory):
        self.directory = str(directory)
        self.port = free_port()

    def _spawn(self):
        raise NotImplementedError

    def start(self):
        self.process = self._spawn()
        wait_until(lambda: self.process.poll() is not None or _listening(self.port), 30,
                   f"{self.name} listening on {self.port}")
        assert self.process.poll() is None, f"{self.name} exited with {self.process.returncode}"
        return self

    def kill(self):
        """SIGKILL: no checkpoint, no flush, no goodbye to clients."""
        self.resume()
        self.process.kill()
        self.process.wait(10)

    def pause(self):
        """SIGSTOP: connections stay open and nothing answers (a hung server)."""
        freeze(self.process)

    def resume(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def restart(self):
        """Start again on the same port and directory (after kill)."""
        return self.start()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Database(_Killable):
    """A real MongoDB-wire server on a data directory: mongod when installed, else SecantusDB."""

    def __init__(self, directory):
        super().__init__(directory)
        self.mongod = os.environ.get("MONGOD_BIN") or shutil.which("mongod")
        self.name = "mongod" if self.mongod else "SecantusDB"
        self.uri = f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def _spawn(self):
        os.makedirs(self.directory, exist_ok=True)
        if self.mongod:
            argv = [self.mongod, "--dbpath", self.directory, "--port", str(self.port),
                    "--bind_ip", "127.0.0.1", "--quiet"]
        else:
            # The same launcher and flags as the development database (journal on, no per-commit
            # fsync unless a write asks for j: true).
            argv = [embedded_db.executable(), "--host", "127.0.0.1", "--port", str(self.port),
                    "--storage-path", self.directory, "--log-level", "WARNING"]
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


class RedisServer(_Killable):
    """A redis-server of the test's own on a free port (never the shared one on 6379)."""

    name = "redis-server"

    def __init__(self, directory):
        super().__init__(directory)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _spawn(self):
        os.makedirs(self.directory, exist_ok=True)
        return subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.directory, "--loglevel", "warning"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
