"""Chat test helpers: people with tokens, conversations made over REST, small real files."""
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bson import ObjectId

from gharbazaar import db
from gharbazaar.models import utcnow
from tests.support import auth, make_token, unique


@dataclass
class Person:
    id: str
    token: str
    name: str | None = None

    @property
    def headers(self):
        return auth(self.token)


def new_person(role="buyer", name=None, **claims):
    """Return a user no other test knows, with a signed token."""
    user_id = unique(role)
    return Person(user_id, make_token(user_id, role, name=name, **claims), name)


@pytest.fixture
def person():
    return new_person


@pytest.fixture
def pair():
    """A buyer and a seller, named."""
    return new_person("buyer", "Asha Buyer"), new_person("seller", "Ravi Seller")


@pytest.fixture
def start(client):
    """Create a conversation over REST between two people; return its id."""
    def create(a, b, property_id=None, **body):
        body = {"otherUserId": b.id, "propertyId": property_id or unique("prop"), **body}
        response = client.post("/api/v1/chat/conversations", json=body, headers=a.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]["conversation"]["id"]
    return create


@pytest.fixture
def age(app):
    """Set a conversation's last activity `minutes` ago, so list order does not hang on timing."""
    def set_age(conversation_id, minutes=0, when=None, target_app=None):
        when = when or utcnow() - timedelta(minutes=minutes)
        db.get_db(target_app or app).conversations.update_one(
            {"_id": ObjectId(conversation_id)}, {"$set": {"lastMessageAt": when}})
        return when
    return set_age


def events(sock, name, namespace="/"):
    """Return the payloads of one event received by a Flask-SocketIO test client."""
    return [e["args"][0] for e in sock.get_received(namespace) if e["name"] == name]


def received(sock, namespace="/"):
    """Return every event (name, payload) a Flask-SocketIO test client received."""
    return [(e["name"], e["args"][0] if e["args"] else None) for e in sock.get_received(namespace)]


def png_bytes(width=2, height=2):
    """Return a real, tiny PNG image."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_bytes():
    """Return a minimal PDF document."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def docx_bytes():
    """Return a minimal DOCX container built with zipfile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


@pytest.fixture
def upload(client):
    """Upload bytes to a conversation over REST; return the response."""
    def send(who, conversation_id, data, name="photo.png", content_type="image/png"):
        form = {"file": (io.BytesIO(data), name, content_type)}
        if conversation_id is not None:
            form["conversationId"] = conversation_id
        return client.post("/api/v1/chat/upload", data=form, headers=who.headers,
                           content_type="multipart/form-data")
    return send
