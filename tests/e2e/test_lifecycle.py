"""Process lifecycle: start-up refusals, the embedded database, SIGTERM, CLI commands."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
from pymongo import MongoClient

from tests.support import ROOT, TEST_SECRET, Recorder, ServerProcess, make_token

pytestmark = pytest.mark.e2e


def run_wsgi_command(args, env, timeout=60):
    full = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "REDIS_URL")}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def test_server(mongo_uri):
    started = []

    def start(**env):
        base = {"APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gblife_{uuid.uuid4().hex[:8]}",
                "JWT_SECRET": TEST_SECRET}
        base.update(env)
        server = ServerProcess(base)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.mark.parametrize("env, reason", [
    ({"JWT_SECRET": "too-short"}, "JWT_SECRET is shorter than 32 bytes"),
    ({"JWT_SECRET": "change-me-to-a-random-string-of-at-least-32-bytes"}, "JWT_SECRET is an example value"),
    ({"MONGODB_URI": ""}, "MONGODB_URI is not set"),
])
def test_production_refuses_to_start_with_one_clear_line(test_server, env, reason):
    server = test_server(**{"APP_ENV": "production", "JWT_SECRET": "p" * 40, **env})
    assert server.wait_exit(30) == 1
    lines = [line for line in server.output().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and reason in lines[0]


def test_node_env_production_is_honoured_when_app_env_is_unset(test_server):
    server = test_server(APP_ENV="", NODE_ENV="production", JWT_SECRET="short")
    assert server.wait_exit(30) == 1
    assert "JWT_SECRET" in server.output()


def test_sigterm_tells_sockets_and_exits_zero_within_ten_seconds(test_server):
    server = test_server().wait_listening()
    clients = [Recorder(server.url, make_token(f"u{i}"), transports=t)
               for i, t in enumerate([("websocket",), ("polling",)])]
    try:
        assert all(c.connect() for c in clients)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        for client in clients:
            notice = client.wait_for("server:shutdown", timeout=5)
            assert notice["reconnect"] is True
        status = server.wait_exit(10)
        elapsed = time.monotonic() - started
    finally:
        for client in clients:
            client.close()
    assert status == 0, server.output()
    assert elapsed < 10
    assert '"msg": "stopped"' in server.output()


def test_sigterm_with_no_clients_is_quick(test_server):
    server = test_server().wait_listening()
    assert server.get("/api/v1/health").status_code == 200
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert server.wait_exit(10) == 0
    assert time.monotonic() - started < 5


def embedded_uri(server):
    match = re.search(r"embedded SecantusDB \(development default\) at (mongodb://[^,]+),", server.output())
    assert match, server.output()
    return match.group(1)


def test_embedded_database_keeps_data_across_restarts_and_stops_with_the_server(test_server, tmp_path):
    env = {"APP_ENV": "development", "MONGODB_URI": "", "MONGODB_DB": "",
           "EMBEDDED_DB_PATH": str(tmp_path / "mongo")}
    first = test_server(**env).wait_listening()
    assert first.get("/api/v1/health").json()["database"] == "ok"
    uri = embedded_uri(first)
    with MongoClient(uri, serverSelectionTimeoutMS=3000) as client:
        client.gharbazaar.kept.insert_one({"note": "survives restarts"})
    first.process.send_signal(signal.SIGTERM)
    assert first.wait_exit(15) == 0
    with MongoClient(uri, serverSelectionTimeoutMS=500) as client:
        with pytest.raises(Exception):
            client.admin.command("ping")  # the child database stopped with the server

    second = test_server(**env).wait_listening()
    with MongoClient(embedded_uri(second), serverSelectionTimeoutMS=3000) as client:
        assert client.gharbazaar.kept.find_one({}, {"_id": 0}) == {"note": "survives restarts"}


def test_logs_are_json_lines_without_tokens(test_server):
    server = test_server().wait_listening()
    tok = make_token("logged-user")
    server.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"})
    client = Recorder(server.url, tok)
    assert client.connect()
    client.close()
    server.stop()
    records = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    requests_logged = [r for r in records if r.get("msg") == "request" and r["path"] == "/api/v1/me"]
    assert requests_logged and requests_logged[0]["user"] == "logged-user"
    assert requests_logged[0]["status"] == 200 and requests_logged[0]["request_id"]
    assert any(r.get("msg") == "socket connected" and r["user"] == "logged-user" for r in records)
    assert any(r.get("msg") == "socket disconnected" and r["user"] == "logged-user" for r in records)
    assert tok not in server.output()


def test_release_command_creates_indexes(mongo_uri):
    result = run_wsgi_command(["ensure-indexes"], {
        "APP_ENV": "production", "JWT_SECRET": "p" * 40, "MONGODB_URI": mongo_uri,
        "MONGODB_DB": f"gbrel_{uuid.uuid4().hex[:8]}"})
    assert result.returncode == 0, result.stderr
    assert "ensured" in result.stdout


def test_token_command_mints_a_usable_token(mongo_uri):
    result = run_wsgi_command(["token", "create", "--user", "cli-user", "--role", "employee"], {
        "APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "MONGODB_URI": mongo_uri})
    assert result.returncode == 0, result.stderr
    import jwt
    claims = jwt.decode(result.stdout.strip(), TEST_SECRET, algorithms=["HS256"])
    assert claims["userId"] == "cli-user" and claims["role"] == "employee"


def test_token_command_works_beside_a_running_development_server(test_server, tmp_path):
    env = {"APP_ENV": "development", "MONGODB_URI": "", "MONGODB_DB": "",
           "EMBEDDED_DB_PATH": str(tmp_path / "mongo"), "JWT_SECRET": TEST_SECRET}
    test_server(**env).wait_listening()
    result = run_wsgi_command(["token", "create", "--user", "dev-user", "--role", "seller"], env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "monkey_patch" not in result.stderr
    import jwt
    assert jwt.decode(result.stdout.strip(), TEST_SECRET, algorithms=["HS256"])["userId"] == "dev-user"
