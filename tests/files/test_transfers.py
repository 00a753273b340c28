"""Downloads streamed chunk by chunk (ranges, revalidation) and upload bodies held to their rules:
a length, one file, a deadline, a few at once per user, a storage allowance."""
import io
import uuid
import zipfile

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from gharbazaar.auth import Actor
from gharbazaar.errors import RateLimited
from gharbazaar.files import repository, service, sniff, uploads
from tests.support import ServerProcess, TEST_SECRET, auth, make_token, raw_http
from tests.support.files import png_bytes

OWNER = Actor(id="owner-1", role="buyer", email="owner@example.com")
CHUNK = 255 * 1024
# Three GridFS chunks and a bit, every byte telling its position apart
BIG = png_bytes() + bytes(range(256)) * (3 * CHUNK // 256 + 7)


@pytest.fixture
def probe_scope(app):
    service.register_scope(app, "probe", lambda actor, scope_id: actor.id == scope_id)


def stored(app, data, name="big.png"):
    with app.test_request_context("/"):
        answer = service.store(OWNER, FileStorage(io.BytesIO(data), filename=name), "probe", "owner-1")
    return f"/api/v1/files/{answer['fileId']}", answer["fileId"]


def test_a_download_is_the_whole_file_read_one_chunk_at_a_time(app, client, probe_scope):
    path, file_id = stored(app, BIG)
    response = client.get(path, headers=auth(make_token("owner-1")))
    assert response.status_code == 200 and response.data == BIG
    assert response.headers["Content-Length"] == str(len(BIG))
    with app.app_context():
        reader = repository.stream(repository.find(file_id))
        assert len(reader.read(10 * CHUNK)) == CHUNK  # never more than one chunk in hand


@pytest.mark.parametrize("header, start, end", [
    ("bytes=0-9", 0, 9), (f"bytes={CHUNK - 5}-{CHUNK + 5}", CHUNK - 5, CHUNK + 5),
    ("bytes=-100", len(BIG) - 100, len(BIG) - 1), (f"bytes={2 * CHUNK}-", 2 * CHUNK, len(BIG) - 1),
    ("bytes=-99999999", 0, len(BIG) - 1), (f"bytes=-{len(BIG)}", 0, len(BIG) - 1),  # suffix longer: all
])
def test_a_range_is_served_from_inside_the_chunks(app, client, probe_scope, header, start, end):
    path, _ = stored(app, BIG)
    response = client.get(path, headers={**auth(make_token("owner-1")), "Range": header})
    assert response.status_code == 206
    assert response.data == BIG[start:end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(BIG)}"


def test_a_range_past_the_end_is_a_json_416_saying_the_length(app, client, probe_scope):
    path, _ = stored(app, png_bytes())
    response = client.get(path, headers={**auth(make_token("owner-1")), "Range": "bytes=99999-"})
    assert response.status_code == 416
    assert response.get_json()["code"] == "range_not_satisfiable"
    assert response.headers["Content-Range"] == f"bytes */{len(png_bytes())}"


@pytest.mark.parametrize("header", ["bytes=abc", "items=0-1", "bytes=0-1,5-6", "bytes=5-2"])
def test_a_range_that_is_invalid_or_multiple_is_ignored_the_whole_file_sent(app, client, probe_scope, header):
    path, _ = stored(app, BIG)
    response = client.get(path, headers={**auth(make_token("owner-1")), "Range": header})
    assert response.status_code == 200 and response.data == BIG


def test_a_stored_file_revalidates_by_its_id_and_a_head_sends_no_body(app, client, probe_scope):
    path, file_id = stored(app, png_bytes())
    headers = auth(make_token("owner-1"))
    first = client.get(path, headers=headers)
    assert first.headers["ETag"] == f'"{file_id}"' and first.headers["Accept-Ranges"] == "bytes"
    assert "Last-Modified" in first.headers
    again = client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = client.head(path, headers=headers)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(png_bytes()))


def test_a_file_removed_while_read_stops_the_reader(app, probe_scope):
    _, file_id = stored(app, BIG)
    with app.app_context():
        reader = repository.stream(repository.find(file_id))
        assert reader.read(CHUNK) == BIG[:CHUNK]
        repository.delete(file_id)
        with pytest.raises(Exception, match="missing"):
            reader.read(CHUNK)


def test_stored_megabytes_are_counted_per_user_whatever_the_number_of_files(make_app):
    app = make_app(RATE_LIMIT_UPLOAD_MB="2 per day")
    one_and_a_bit = png_bytes() + bytes(1024 * 1024)  # counts as 2 MB (rounded up)
    with app.test_request_context("/"):
        service.store(OWNER, FileStorage(io.BytesIO(one_and_a_bit), filename="a.png"), "probe", "x")
        with pytest.raises(RateLimited) as refused:
            service.store(OWNER, FileStorage(io.BytesIO(png_bytes()), filename="b.png"), "probe", "x")
        assert refused.value.message == "Upload allowance used up. Please try again later."
        other = Actor(id="owner-2", role="buyer")
        service.store(other, FileStorage(io.BytesIO(png_bytes()), filename="c.png"), "probe", "x")


def post_upload(client, user):
    return client.post("/api/v1/chat/upload", headers=auth(make_token(user)),
                       content_type="multipart/form-data",
                       data={"conversationId": "0" * 24, "file": (io.BytesIO(png_bytes()), "a.png")})


def test_a_user_with_uploads_arriving_at_their_limit_is_refused_another(app, client):
    user = "busy-uploader"
    app.extensions[uploads.IN_FLIGHT][user] = app.config["MAX_UPLOADS_IN_FLIGHT"]
    response = post_upload(client, user)
    assert response.status_code == 429 and response.get_json()["code"] == "rate_limited"
    assert response.headers["Retry-After"] == "5"
    app.extensions[uploads.IN_FLIGHT][user] = 0
    answered = post_upload(client, user)
    assert answered.status_code == 403  # past the guard: the conversation is not theirs
    assert user not in app.extensions[uploads.IN_FLIGHT]  # the count ended with the request


@pytest.mark.parametrize("files", [
    [("file", "a.png"), ("file", "b.png")], [("file", "a.png"), ("attachment", "b.png")],
], ids=["two-files", "file-and-another"])
def test_an_upload_of_several_files_is_refused_not_cut_to_one(client, files):
    form = MultiDict([("conversationId", "0" * 24)] + [(field, (io.BytesIO(png_bytes()), name))
                                                       for field, name in files])
    response = client.post("/api/v1/chat/upload", headers=auth(make_token("two-files")),
                           content_type="multipart/form-data", data=form)
    assert response.status_code == 400
    assert response.get_json()["error"] == "Upload one file per request, in the `file` field."


@pytest.fixture(scope="module")
def strict_server(mongo_uri):
    """A real eventlet server whose upload bodies must arrive within one second."""
    server = ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbup_{uuid.uuid4().hex[:10]}",
        "JWT_SECRET": TEST_SECRET, "FRONTEND_URL": "http://localhost:3000", "UPLOAD_BODY_TIMEOUT_S": "1",
        "HTTP_BODY_TIMEOUT_S": "1",
    }).wait_listening()
    yield server
    server.stop()


def raw_upload(server, head_lines, body):
    """Send a request head and the start of a body; return the status line the server answers."""
    return raw_http.post(server.port, "/api/v1/chat/upload", make_token("raw-uploader"),
                         ["Content-Type: multipart/form-data; boundary=XX", *head_lines], body).decode()


@pytest.mark.e2e
def test_a_chunked_upload_is_refused_with_411_not_read_as_no_file(strict_server):
    status = raw_upload(strict_server, ["Transfer-Encoding: chunked"], b"5\r\n--XX\r\n\r\n")
    assert status.startswith("HTTP/1.1 411 ")


@pytest.mark.e2e
def test_an_upload_body_that_drips_is_cut_off_at_the_deadline_and_the_server_serves_on(strict_server):
    part = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n' + png_bytes()
    # Promises a megabyte more than it sends: the server waits for it until the deadline.
    status = raw_upload(strict_server, [f"Content-Length: {len(part) + 1_000_000}"], part)
    assert status.startswith("HTTP/1.1 408 ")
    assert strict_server.get("/api/v1/health").status_code == 200


def test_a_raw_byte_in_a_signed_links_query_does_not_switch_its_limit_off(make_app):
    app = make_app(RATE_LIMIT_FILE_LINKS="2 per minute")
    service.register_scope(app, "probe", lambda actor, scope_id: actor.id == scope_id)
    path, _ = stored(app, png_bytes())
    with app.test_request_context("/"):
        query = service.signed_url(path.rsplit("/", 1)[-1]).split("?", 1)[1].encode() + b"&z=\xff"
    client = app.test_client()
    raw = {"QUERY_STRING": query.decode("latin-1")}  # as WSGI hands the bytes over
    answers = [client.get(path, environ_overrides=raw).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_an_upload_that_is_not_multipart_is_415_once_authenticated(client):
    refused = client.post("/api/v1/chat/upload", json={"conversationId": "0" * 24},
                          headers=auth(make_token("json-uploader")))
    assert refused.status_code == 415 and refused.get_json()["code"] == "unsupported_media_type"
    anonymous = client.post("/api/v1/chat/upload", json={"conversationId": "0" * 24})
    assert anonymous.status_code == 401


def test_every_upload_form_is_screened_for_operator_keys(client):
    response = client.post(f"/api/v1/tickets/{'0' * 24}/upload", headers=auth(make_token("form-user")),
                           content_type="multipart/form-data",
                           data={"$where": "1", "file": (io.BytesIO(png_bytes()), "a.png")})
    assert response.status_code == 400 and response.get_json()["code"] == "validation_error"


@pytest.mark.e2e
def test_a_json_body_that_drips_is_cut_off_at_its_deadline(strict_server):
    # an answer or the connection closed, not a wait
    answer = raw_http.post(strict_server.port, "/api/v1/sync", make_token("dripper"),
                           ["Content-Type: application/json", "Content-Length: 100"], b'{"since"')
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
    assert strict_server.get("/api/v1/health").status_code == 200


def test_a_zip_declaring_more_entries_than_a_document_has_is_refused_from_its_end_record():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for n in range(sniff.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"word/{n}.xml", "")
    data = buffer.getvalue()
    assert sniff._declared_entries(data) == sniff.MAX_ZIP_ENTRIES + 2
    assert sniff.identify(data, "big.docx") is None
