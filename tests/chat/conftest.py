"""Chat fixtures: people with tokens, conversations made over REST, uploads."""
import io
from datetime import timedelta

import pytest
from bson import ObjectId

from gharbazaar import db
from gharbazaar.models import utcnow
from tests.support import unique
from tests.support.people import new_person


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


@pytest.fixture
def room(pair, start, socket_client):
    """Buyer and seller joined to a new conversation: (buyer, seller, id, buyer socket, seller socket)."""
    buyer, seller = pair
    conv_id = start(buyer, seller)
    socks = []
    for who in (buyer, seller):
        sock = socket_client(who.token)
        assert sock.emit("join_conversation", conv_id, callback=True)["success"] is True
        sock.get_received()
        socks.append(sock)
    return buyer, seller, conv_id, *socks


@pytest.fixture
def counted(make_app):
    """An app that counts its database commands (DB_METRICS), inside a request context."""
    app = make_app(DB_METRICS=True)
    with app.test_request_context():
        yield app
