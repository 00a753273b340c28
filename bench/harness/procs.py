"""Child processes of a run, and what they cost: CPU seconds and resident memory from /proc."""
import os
import queue
import signal
import socket
import subprocess
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """Return user + system CPU seconds used so far by one process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid):
    """Return the resident set size of one process (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def machine_busy():
    """Return (busy, total) jiffies of the whole machine, for its CPU share."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A child process whose output lines are kept and can be waited for."""

    def __init__(self, name, role, args, env=None, cwd=None):
        self.name, self.role = name, role
        self.lines = []
        self._queue = queue.Queue()
        self.popen = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.pid = self.popen.pid
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)

    def wait_line(self, prefixes, timeout):
        """Return the first new line starting with one of prefixes; raise on exit or timeout."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                message = f"{self.name}: no {prefixes} within {timeout:.0f} s:\n{self.tail()}"
                raise TimeoutError(message) from None
            if line is None:
                raise RuntimeError(f"{self.name} exited ({self.popen.wait()}):\n{self.tail()}")
            if line.startswith(prefixes):
                return line

    def send(self, text):
        self.popen.stdin.write(text + "\n")
        self.popen.stdin.flush()

    def tail(self, n=15):
        return "\n".join(self.lines[-n:])

    def alive(self):
        return self.popen.poll() is None

    def stop(self, timeout=5):
        """SIGTERM, then SIGKILL after timeout seconds."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Monitor:
    """Sample the RSS of registered processes every 100 ms, keeping each one's peak and, for the
    servers, the samples themselves ((monotonic time, bytes): memory over time)."""

    def __init__(self):
        self.procs, self.peak, self.series = [], {}, {}
        self._stop = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def watch(self, proc):
        self.procs.append(proc)
        self.peak[proc.pid] = rss_bytes(proc.pid)

    def reset(self):
        self.procs, self.peak, self.series = [], {}, {}

    def _loop(self):
        while not self._stop.wait(0.1):
            for proc in list(self.procs):
                rss = rss_bytes(proc.pid)
                self.peak[proc.pid] = max(self.peak.get(proc.pid, 0), rss)
                if proc.role == "server" and rss:
                    self.series.setdefault(proc.pid, []).append((time.monotonic(), rss))

    def close(self):
        self._stop.set()
