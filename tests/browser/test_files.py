"""Chat files from the page: a canvas-drawn PNG uploaded by multipart fetch, shown by a plain <img>."""
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def talk(buyer, seller):
    answer = buyer.api("POST", "/api/v1/chat/conversations", {"otherUserId": seller.id})
    assert answer.status == 201, answer.body
    return answer.data["conversation"]["id"]


def test_an_uploaded_image_shows_in_an_img_on_both_sides(open_page):
    buyer, seller = open_page("buyer"), open_page("seller")
    conv_id = talk(buyer, seller)

    answer = buyer.upload("/api/v1/chat/upload", {"conversationId": conv_id}, "porch.png", width=12, height=7)
    assert answer.status in (200, 201), answer.body
    stored = answer.data
    assert stored["url"].startswith("http") and stored["fileId"] and stored["thumbnailUrl"]
    assert stored["metadata"]["fileName"] == "porch.png"
    assert (stored["metadata"]["fileType"], stored["metadata"]["mimeType"]) == ("image", "image/png")
    assert stored["metadata"]["fileSize"] > 0

    for page in (buyer, seller):
        shown = page.show_image(stored["url"])
        assert shown == {"loaded": True, "naturalWidth": 12, "naturalHeight": 7}


def test_a_file_message_carries_a_link_the_other_side_can_show(open_page):
    buyer, seller = open_page("buyer"), open_page("seller")
    conv_id = talk(buyer, seller)
    seller.connected()
    assert seller.emit("join_conversation", {"conversationId": conv_id})["success"] is True
    url = buyer.upload("/api/v1/chat/upload", {"conversationId": conv_id}, "garden.png").data["url"]

    sent = buyer.api("POST", f"/api/v1/chat/conversations/{conv_id}/messages",
                     {"content": "", "type": "image", "fileUrl": url})
    assert sent.status == 201, sent.body
    message = seller.wait_for("new_message")[0]
    assert (message["type"], message["fileName"]) == ("image", "garden.png")
    assert seller.show_image(message["fileUrl"])["naturalWidth"] == 8


def test_a_refused_upload_tells_the_frontends_xhr_why_in_its_status_text(open_page):
    # The frontend's chat upload rejects with `Upload failed: ${xhr.statusText}` and reads no body.
    buyer, seller = open_page("buyer"), open_page("seller")
    conv_id = talk(buyer, seller)
    got = buyer.js("([p, t, f, n]) => gb.xhrUpload(p, t, f, n)", "/api/v1/chat/upload", buyer.token,
                   {"conversationId": conv_id}, 10 * 1024 * 1024 + 64 * 1024 + 1)
    assert got["status"] == 413
    assert got["statusText"] == got["body"]["error"] == "File too large. Maximum size: 10MB"
