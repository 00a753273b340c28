"""The Socket.IO handshake from a page: refusals reach io()'s connect_error with the contract's texts."""
import pytest

from tests.support import make_token

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
REFUSALS = {
    "no-token": (None, "Authentication required. Please provide a valid token."),
    "expired": (make_token("expired-user", ttl=-10), "Token has expired. Please login again."),
    "garbage": ("not-a-jwt-at-all", "Invalid token. Please login again."),
}


def test_a_valid_token_connects_and_upgrades_to_websocket(open_page):
    page = open_page()
    state = page.connected()
    assert state["transport"] == "websocket" and state["connectErrors"] == []


def test_refused_handshakes_reach_connect_error_with_the_contract_texts(open_page):
    page = open_page()
    for name, (token, text) in REFUSALS.items():
        assert page.connect(name, token=token) == {"connected": False, "error": text}, name
        assert page.state(name)["connects"] == 0, name
