"""CORS preflights: answered for every API route and method, before authentication and limits."""
import re

import pytest

ORIGIN = "http://localhost:3000"
FOREIGN = "https://evil.example"


def api_routes(app):
    """Yield (path, method) for every API route, with placeholders filled in."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<[^>]+>", "0" * 24, rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield path, method


def preflight(client, path, method, origin=ORIGIN):
    return client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type"})


def test_every_api_route_answers_an_allowed_origins_preflight_without_a_token(app, client):
    routes = list(api_routes(app))
    assert len(routes) > 20
    for path, method in routes:
        response = preflight(client, path, method)
        assert 200 <= response.status_code < 300, (path, method, response.status_code)
        headers = response.headers
        assert headers["Access-Control-Allow-Origin"] == ORIGIN, (path, method)
        allowed_headers = headers["Access-Control-Allow-Headers"].lower()
        assert "authorization" in allowed_headers and "content-type" in allowed_headers, (path, method)
        assert method in headers["Access-Control-Allow-Methods"], (path, method)


def test_another_origins_preflight_gets_no_cors_headers(app, client):
    for path, method in api_routes(app):
        headers = preflight(client, path, method, origin=FOREIGN).headers
        assert not [name for name in headers.keys() if name.lower().startswith("access-control-allow")], path


@pytest.mark.parametrize("path", ["/api/v1/chat/conversations", "/api/v1/tickets/", "/api/v1/nowhere"])
def test_preflights_count_against_no_rate_limit(make_app, token, path):
    client = make_app(RATE_LIMIT_REST="2 per minute").test_client()
    for _ in range(10):
        assert preflight(client, path, "GET").status_code == 200
    headers = {"Authorization": f"Bearer {token('pf-user')}"}
    answers = [client.get("/api/v1/chat/conversations", headers=headers).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("path", ["/", "/nowhere", "/api/v1/nowhere"])
def test_paths_outside_the_api_answer_preflights_and_are_readable_by_the_frontend(client, path):
    # The service page and the contract's 404 are read by fetch() from the frontend's origin too.
    assert preflight(client, path, "GET").headers["Access-Control-Allow-Origin"] == ORIGIN
    answer = client.get(path, headers={"Origin": ORIGIN})
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in client.get(path, headers={"Origin": FOREIGN}).headers


def test_a_plain_options_request_is_not_mistaken_for_a_preflight(client):
    response = client.options("/api/v1/chat/conversations", headers={"Origin": ORIGIN})
    assert response.status_code == 401
