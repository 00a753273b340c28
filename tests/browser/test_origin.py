"""Origins: the frontend's page is let in (preflights and all), any other page is kept out."""
import pytest
import requests

from tests.browser.pages import start_backend

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PREFLIGHTED = [("GET", "/api/v1/chat/conversations"), ("POST", "/api/v1/tickets"),
               ("PUT", "/api/v1/chat/messages/0123456789abcdef01234567"),
               ("DELETE", "/api/v1/chat/conversations/0123456789abcdef01234567"),
               ("GET", "/api/v1/employee/stats")]


def preflight(backend, origin, method="GET", path="/api/v1/chat/conversations"):
    return requests.options(backend.url + path, timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type"})


def test_a_page_on_the_frontend_origin_reads_an_authenticated_answer(open_page):
    page = open_page()
    got = page.attempt("GET", "/api/v1/chat/conversations")
    assert got["rejected"] is None, got
    assert got["status"] == 200 and got["body"]["data"]["conversations"] == []


@pytest.mark.parametrize("method, path", PREFLIGHTED)
def test_a_preflight_from_the_frontend_origin_is_answered_without_authentication(backend, page_server,
                                                                                 method, path):
    answer = preflight(backend, page_server.origin, method, path)
    assert 200 <= answer.status_code < 300, (answer.status_code, answer.text)
    assert answer.headers.get("Access-Control-Allow-Origin") == page_server.origin
    allowed_headers = answer.headers.get("Access-Control-Allow-Headers", "").lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert method in answer.headers.get("Access-Control-Allow-Methods", "")


def test_a_preflight_from_another_origin_carries_no_cors_headers(backend, page_server):
    answer = preflight(backend, page_server.foreign_origin)
    assert not [name for name in answer.headers if name.lower().startswith("access-control-allow-")]


def test_preflights_count_against_no_rate_limit(mongo_uri, page_server):
    server = start_backend(mongo_uri, page_server, RATE_LIMIT_REST="5 per 15 minutes")
    try:
        statuses = {preflight(server, page_server.origin).status_code for _ in range(12)}
        assert statuses == {200}, statuses
        # Anonymous calls share the preflights' per-IP budget: counted preflights would have spent it.
        anonymous = requests.get(f"{server.url}/api/v1/chat/conversations", timeout=10)
        assert anonymous.status_code == 401, anonymous.text
    finally:
        server.stop()


def test_a_page_on_a_foreign_origin_cannot_read_rest_answers(open_page, page_server):
    page = open_page(origin=page_server.foreign_origin)
    got = page.attempt("GET", "/api/v1/chat/conversations")
    assert got["rejected"] == "TypeError", got


@pytest.mark.parametrize("transports", [None, ["websocket"]], ids=["default", "websocket-only"])
def test_a_page_on_a_foreign_origin_cannot_open_a_socket(open_page, page_server, transports):
    page = open_page(origin=page_server.foreign_origin)
    options = {"reconnection": False, **({"transports": transports} if transports else {})}
    result = page.connect(**options)
    assert result["connected"] is False and result["error"], result
    assert page.state()["connects"] == 0
