"""Health, readiness and the service index."""
import socket
import time

from gharbazaar import __version__


def test_health_reports_liveness_and_database(client):
    body = client.get("/api/v1/health").get_json()
    assert body["success"] is True and body["message"] == "API is healthy"
    assert body["database"] == "ok" and body["version"] == __version__
    assert body["timestamp"].endswith("Z")


def test_ready_is_200_when_the_database_answers(client):
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"


def test_health_stays_200_but_ready_is_503_when_the_database_is_down(make_app):
    app = make_app(indexes=False, MONGODB_URI="mongodb://127.0.0.1:9/?directConnection=true",
                   MONGODB_TIMEOUT_MS=300)
    client = app.test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 200 and health.get_json()["database"] == "down"
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 503 and ready.get_json()["code"] == "unavailable"


def test_ready_is_503_while_draining(app, client):
    app.extensions["draining"] = True
    assert client.get("/api/v1/health/ready").status_code == 503


def test_index_links_to_health_and_docs(client):
    body = client.get("/").get_json()
    assert body["version"] == __version__
    assert body["links"]["health"] == "/api/v1/health" and body["links"]["docs"] == "/api/docs"


def test_security_headers_are_set(client):
    headers = client.get("/api/v1/health").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_cors_allows_the_frontend_origin_only(client):
    allowed = client.get("/api/v1/health", headers={"Origin": "http://localhost:3000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    other = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_preflight_allows_the_authorization_header(client):
    response = client.options("/api/v1/me", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization"})
    assert response.status_code == 200
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_production_forces_https_behind_the_proxy(make_app):
    app = make_app(APP_ENV="production", JWT_SECRET="p" * 40)
    client = app.test_client()
    plain = client.get("/")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    proxied = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert "max-age" in proxied.headers["Strict-Transport-Security"]


def test_production_probes_over_plain_http_are_answered_not_redirected(make_app):
    # A probe from inside the platform sends no X-Forwarded-Proto; a 302 would count as healthy.
    client = make_app(APP_ENV="production", JWT_SECRET="p" * 40).test_client()
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/health/ready").status_code == 200


def test_liveness_answers_promptly_while_the_database_hangs(make_app):
    # A database that accepts connections and never answers (a hung mongod): liveness still
    # answers, with database "down", long before the operation timeout.
    with socket.create_server(("127.0.0.1", 0)) as hung:
        port = hung.getsockname()[1]
        app = make_app(indexes=False, MONGODB_URI=f"mongodb://127.0.0.1:{port}/?directConnection=true",
                       MONGODB_TIMEOUT_MS=20_000)
        started = time.monotonic()
        health = app.test_client().get("/api/v1/health")
        assert health.status_code == 200 and health.get_json()["database"] == "down"
        assert time.monotonic() - started < 10  # bounded by the liveness ping, not the 20 s timeout


def test_database_command_counts_are_served_only_when_enabled(make_app, client):
    assert client.get("/api/v1/health/db-commands").status_code == 404
    counted = make_app(DB_METRICS=True).test_client()
    counted.get("/api/v1/health")
    data = counted.get("/api/v1/health/db-commands").get_json()["data"]
    assert data["commands"]["ping"] >= 1 and data["total"] >= 1
    assert data["waited"]["ping admin"]["count"] == data["commands"]["ping"]
    assert data["waited"]["ping admin"]["ms"] >= 0
