"""The API reference page (/api/docs) renders in a real browser from the backend alone."""
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_api_reference_renders_without_errors_or_outside_requests(browser, backend):
    context = browser.new_context()
    page = context.new_page()
    asked, problems = [], []
    page.on("request", lambda request: asked.append(request.url))
    page.on("console", lambda message: problems.append(f"{message.text} ({message.location['url']})")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{backend.url}/api/docs")
        page.locator("section.op").first.wait_for(state="visible", timeout=10_000)
        page.wait_for_load_state("networkidle")
        main = page.locator("main").inner_text()
        nav = page.locator("nav").inner_text()
    finally:
        context.close()
    for path in ("/api/v1/chat/conversations", "/api/v1/tickets", "/api/v1/chat/upload"):
        assert path in main and path in nav, path
    for event in ("send_message", "ticket:customer-message", "join_employee_room"):
        assert event in main, event
    assert problems == []
    assert asked and [url for url in asked if not url.startswith(backend.url + "/")] == []
