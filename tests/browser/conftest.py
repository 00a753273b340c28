"""Browser fixtures: Debian's Chromium, the page's own origin, a backend that trusts it, a tab per user."""
import os
import shutil
from types import SimpleNamespace

import pytest

from tests.browser.pages import PageServer, UserPage, start_backend
from tests.support import make_token, unique

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
# Without the background-networking flags Chromium tries to reach Google's hosts (STACK.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING = ("no Chromium (/usr/bin/chromium or `chromium` on PATH): "
           "`apt-get install -y chromium` to run tests/browser")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's Chromium against a real server process")


def pytest_collect_file(file_path, parent):
    """Skip this whole directory in one line when Chromium is missing; under CI=true, fail instead."""
    if CHROMIUM:
        return None
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {MISSING}", pytrace=False)
    pytest.skip(MISSING, allow_module_level=True)


@pytest.fixture(scope="package")
def page_server():
    """The static page (tests/browser/static) on its own origin, as the frontend would be."""
    server = PageServer()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def backend(mongo_uri, page_server):
    """One server process per module, so one module's waiting tickets never reach another's employees."""
    server = start_backend(mongo_uri, page_server)
    yield server
    server.stop()


@pytest.fixture
def open_page(browser, page_server, backend):
    """open_page(role='buyer', origin=None, **claims): a new user's tab in a browser context of its own."""
    contexts = []

    def open_tab(role="buyer", origin=None, **claims):
        user = unique(role)
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{origin or page_server.origin}/index.html?api={backend.url}")
        assert page.evaluate("() => typeof io === 'function' && gb.base") == backend.url
        return UserPage(page, user, role, make_token(user, role, **claims))

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def chat(open_page):
    """A buyer and a seller, both connected (upgraded to websocket) and in their conversation."""
    buyer, seller = open_page("buyer", name="Asha Buyer"), open_page("seller", name="Ravi Seller")
    created = buyer.api("POST", "/api/v1/chat/conversations", {"otherUserId": seller.id})
    assert created.status == 201, created.body
    conv_id = created.data["conversation"]["id"]
    for page in (buyer, seller):
        assert page.connected()["transport"] == "websocket"
        assert page.emit("join_conversation", {"conversationId": conv_id})["success"] is True
    return SimpleNamespace(buyer=buyer, seller=seller, id=conv_id)
