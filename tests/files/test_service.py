"""Files: content sniffing, limits, GridFS storage, signed links and the download route."""
import io
import os
import time
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import FileStorage

from gharbazaar.auth import Actor
from gharbazaar.errors import PayloadTooLarge, RateLimited, UnsupportedMediaType, ValidationFailed
from gharbazaar.files import service, sniff
from tests.support import auth, make_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
OLE = sniff.OLE2 + b"\x00" * 64
OOXML = "application/vnd.openxmlformats-officedocument"
OWNER = Actor(id="owner-1", role="buyer", email="owner@example.com")


def office(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<doc/>")
    return buffer.getvalue()


def upload(data, name="file.bin"):
    return FileStorage(io.BytesIO(data), filename=name)


@pytest.fixture
def probe_scope(app):
    service.register_scope(app, "probe", lambda actor, scope_id: actor.id == scope_id)


@pytest.mark.parametrize("data, name, expected", [
    (PNG, "x.png", ("image", "image/png")),
    (JPEG, "x.jpg", ("image", "image/jpeg")),
    (GIF, "x.gif", ("image", "image/gif")),
    (WEBP, "x.webp", ("image", "image/webp")),
    (PDF, "x.pdf", ("document", "application/pdf")),
    (OLE, "x.doc", ("document", "application/msword")),
    (OLE, "sheet.xls", ("document", "application/vnd.ms-excel")),
    (office("word"), "x.docx", ("document", f"{OOXML}.wordprocessingml.document")),
    (office("xl"), "x.xlsx", ("document", f"{OOXML}.spreadsheetml.sheet")),
    ("नमस्ते, plain text\n".encode(), "note.txt", ("document", "text/plain")),
])
def test_allowed_content_is_identified_by_its_bytes(data, name, expected):
    assert sniff.identify(data, name)[:2] == expected


@pytest.mark.parametrize("data, name", [
    (b"<html><script>alert(1)</script></html>", "photo.png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image.svg"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "report.pdf"),
    (b"\x7fELF\x02\x01\x01", "a.jpg"),
    (b"PK\x03\x04not really a zip", "x.docx"),
    (b"binary\x00\x01\x02", "notes.txt"),
])
def test_disguised_or_unknown_content_is_refused(data, name):
    assert sniff.identify(data, name) is None


def test_a_zip_that_is_not_office_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert sniff.identify(buffer.getvalue(), "x.docx") is None


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd", "passwd.png"),
    ("photo.exe", "photo.png"),
    ("photo.JPEG", "photo.png"),
    ("C:\\Users\\me\\photo.png", "photo.png"),
    ("a\x00b<script>.png", "abscript.png"),
    ("", "file.png"),
    ("...", "file.png"),
])
def test_file_names_are_made_safe(raw, clean):
    assert service.safe_name(raw, "png") == clean


def test_store_returns_a_signed_absolute_link(app):
    with app.test_request_context("/", base_url="http://api.example"):
        stored = service.store(OWNER, upload(PNG, "house.png"), "probe", "owner-1")
    assert stored["fileType"] == "image" and stored["mimeType"] == "image/png"
    assert stored["fileName"] == "house.png" and stored["fileSize"] == len(PNG)
    assert stored["url"].startswith(f"http://api.example/api/v1/files/{stored['fileId']}?")
    assert stored["thumbnailUrl"] == stored["url"]
    assert service.file_id_from_url(stored["url"]) == stored["fileId"]


def test_documents_have_no_thumbnail(app):
    with app.test_request_context("/"):
        assert service.store(OWNER, upload(PDF, "deed.pdf"), "probe", "owner-1")["thumbnailUrl"] is None


def test_too_large_and_wrong_type_are_refused_with_contract_texts(make_app):
    app = make_app(MAX_UPLOAD_MB=1)
    with app.test_request_context("/"):
        with pytest.raises(PayloadTooLarge, match="File too large. Maximum size: 1MB"):
            service.store(OWNER, upload(PNG + b"\x00" * (1024 * 1024)), "probe", "owner-1")
        with pytest.raises(UnsupportedMediaType, match="Invalid file type. Only images and documents"):
            service.store(OWNER, upload(b"<html></html>", "x.png"), "probe", "owner-1")
        with pytest.raises(ValidationFailed):
            service.store(OWNER, upload(b"", "empty.png"), "probe", "owner-1")


def test_uploads_are_rate_limited_per_user(make_app):
    app = make_app(RATE_LIMIT_UPLOADS="2 per minute")
    with app.test_request_context("/"):
        for _ in range(2):
            service.store(OWNER, upload(PNG), "probe", "owner-1")
        with pytest.raises(RateLimited):
            service.store(OWNER, upload(PNG), "probe", "owner-1")


def test_attached_accepts_only_the_senders_own_files_of_the_same_scope(app):
    with app.test_request_context("/"):
        file_id = service.store(OWNER, upload(PNG), "probe", "owner-1")["fileId"]
        assert service.attached(file_id, "probe", "owner-1", OWNER.id)["fileName"] == "file.png"
        for scope, scope_id in (("probe", "other"), ("chat", "owner-1")):
            with pytest.raises(ValidationFailed):
                service.attached(file_id, scope, scope_id, OWNER.id)
        with pytest.raises(ValidationFailed):
            service.attached("0" * 24, "probe", "owner-1", OWNER.id)
        with pytest.raises(ValidationFailed) as refused:
            service.attached(file_id, "probe", "owner-1", "someone-else")
        assert refused.value.details == [{"field": "fileUrl", "message": "Not uploaded by you."}]


def stored_path(app, data, name):
    with app.test_request_context("/"):
        url = service.store(OWNER, upload(data, name), "probe", "owner-1")["url"]
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_signed_link_serves_an_image_inline_without_headers(app, client, probe_scope):
    path, query = stored_path(app, PNG, "house.png")
    response = client.get(path, query_string=query)
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_documents_are_served_as_attachments(app, client, probe_scope):
    path, query = stored_path(app, PDF, "sale deed.pdf")
    response = client.get(path, query_string=query)
    assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''sale%20deed.pdf"
    assert response.headers["Content-Type"] == "application/pdf"


def test_tampered_or_expired_links_are_refused(app, client, probe_scope):
    path, query = stored_path(app, PNG, "a.png")
    assert client.get(path, query_string={**query, "sig": query["sig"][:-2] + "xx"}).status_code == 403
    assert client.get(path, query_string={**query, "exp": str(int(query["exp"]) + 1)}).status_code == 403
    with app.app_context():
        past = int(time.time()) - 10
        assert not service.valid_signature(path.rsplit("/", 1)[-1], past, service._signature("x", past))


def test_authorization_header_works_for_readers_only(app, client, probe_scope):
    path, _ = stored_path(app, PNG, "a.png")
    assert client.get(path, headers=auth(make_token("owner-1"))).status_code == 200
    outsider = client.get(path, headers=auth(make_token("someone-else")))
    assert outsider.status_code == 404
    assert client.get(path).status_code == 401


@pytest.mark.parametrize("token, code", [(lambda: make_token("owner-1", ttl=-10), "token_expired"),
                                         (lambda: make_token("owner-1", secret="x" * 40), "unauthorized"),
                                         (lambda: "not.a.token", "unauthorized")])
def test_a_bad_token_without_a_link_is_told_apart_from_no_token(app, client, probe_scope, token, code):
    path, query = stored_path(app, PNG, "a.png")
    refused = client.get(path, headers=auth(token()))
    assert refused.status_code == 401
    assert refused.get_json() == {"success": False, "error": "Invalid or expired token. Please login again.",
                                  "code": code}
    assert client.get(path).get_json()["error"] == "No token provided. Please login."
    with_link = client.get(path, query_string=query, headers=auth(token()))
    assert with_link.status_code == 200, "the link still works"


def test_removed_files_are_no_longer_served(app, client, probe_scope):
    path, query = stored_path(app, PNG, "a.png")
    with app.app_context():
        service.remove_unless_used(path.rsplit("/", 1)[-1], lambda: False)
    assert client.get(path, query_string=query).status_code == 404


def test_a_file_still_in_use_is_kept_and_usable_again(app, client, probe_scope):
    path, query = stored_path(app, PNG, "a.png")
    file_id = path.rsplit("/", 1)[-1]
    with app.app_context():
        seen = []  # what a message stored during the check sees
        service.remove_unless_used(file_id, lambda: seen.append(service.servable(file_id)) or True)
        assert seen == [False]
        assert service.servable(file_id)
    assert client.get(path, query_string=query).status_code == 200


def test_unknown_and_malformed_file_ids_are_404(client):
    assert client.get("/api/v1/files/" + "0" * 24, headers=auth(make_token())).status_code == 404
    assert client.get("/api/v1/files/not-an-id", headers=auth(make_token())).status_code == 404


def test_served_files_cannot_run_scripts(app, client, probe_scope):
    path, query = stored_path(app, PNG, "a.png")
    assert "sandbox" in client.get(path, query_string=query).headers["Content-Security-Policy"]


def zip_with(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_office_zip_bombs_are_refused_from_their_directory():
    bomb = zip_with([("[Content_Types].xml", "<Types/>"), ("word/document.xml", b"\0" * (20 * 1024 * 1024))])
    assert len(bomb) < 100 * 1024  # tiny on the wire, 20 MB once opened
    assert sniff.identify(bomb, "contract.docx") is None


def test_a_large_but_honest_office_file_is_accepted():
    honest = zip_with([("[Content_Types].xml", "<Types/>"), ("xl/sheet.xml", os.urandom(2 * 1024 * 1024))])
    assert sniff.identify(honest, "prices.xlsx")[1].endswith("spreadsheetml.sheet")


def test_signed_link_loads_do_not_spend_their_addresses_anonymous_allowance(make_app):
    # <img> sends no token: everyone behind one NAT would otherwise share one anonymous allowance.
    app = make_app(RATE_LIMIT_REST="2 per minute", RATE_LIMIT_FILE_LINKS="4 per minute")
    service.register_scope(app, "probe", lambda actor, scope_id: actor.id == scope_id)
    client = app.test_client()
    first, first_query = stored_path(app, PNG, "a.png")
    second, second_query = stored_path(app, PNG, "b.png")
    assert [client.get(first, query_string=first_query).status_code for _ in range(5)] == [200] * 4 + [429]
    assert client.get(second, query_string=second_query).status_code == 200  # each link its own count
    assert client.get("/api/v1/me").status_code == 401  # one of the address's two: the links spent none
    forged = {**second_query, "sig": "forged"}  # counted in the address's allowance, as anonymous calls are
    assert [client.get(second, query_string=forged).status_code for _ in range(2)] == [403, 429]
