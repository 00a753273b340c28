"""Socket plumbing with the Flask-SocketIO test client: acks, `error` events, limits, rooms."""
import dataclasses
import time

import pytest
from flask import request
from marshmallow import fields
from werkzeug.test import EnvironBuilder

from gharbazaar import handlers, realtime, sockets
from gharbazaar.db import get_db
from gharbazaar.errors import Forbidden
from gharbazaar.validation import BaseSchema, load
from tests.support import make_token


class EchoSchema(BaseSchema):
    text = fields.String(required=True)


def echo(conn, payload):
    data = load(EchoSchema(), payload)
    return {"text": data["text"], "user": conn.actor.id}


def forbidden(conn, payload):
    raise Forbidden("Not authorized for this conversation")


def bug(conn, payload):
    raise KeyError("internal detail")


def count_notes(conn, payload):
    return {"notes": get_db().notes.count_documents({})}


def routing(conn, payload):
    return {"failure": repr(request.routing_exception) if request.routing_exception else None}


PROBES = {"probe_echo": echo, "probe_forbidden": forbidden, "probe_bug": bug, "probe_db": count_notes,
          "probe_routing": routing}


@pytest.fixture
def probe_app(make_app):
    def build(**overrides):
        app = make_app(**overrides)
        handlers.mount(app.extensions["socketio"], PROBES, ["/", "/chat"])
        return app
    return build


@pytest.fixture
def connect(probe_app, socket_client):
    def open_socket(user="u1", namespace="/", app=None, **token_claims):
        sock = socket_client(make_token(user, **token_claims), namespace=namespace, target=app or probe_app())
        assert sock.is_connected(namespace)
        return sock
    return open_socket


def errors_of(sock, namespace="/"):
    return [e["args"][0] for e in sock.get_received(namespace) if e["name"] == "error"]


def test_success_is_acked_with_the_rest_envelope(connect):
    sock = connect("asha")
    ack = sock.emit("probe_echo", {"text": "hi"}, callback=True)
    assert ack == {"success": True, "data": {"text": "hi", "user": "asha"}}
    assert errors_of(sock) == []


def test_a_refusal_becomes_an_error_event_and_a_failure_ack(connect):
    sock = connect()
    ack = sock.emit("probe_forbidden", {}, callback=True)
    assert ack == {"success": False, "error": "Not authorized for this conversation", "code": "forbidden"}
    assert errors_of(sock) == [{"message": "Not authorized for this conversation", "code": "forbidden",
                                "event": "probe_forbidden"}]


@pytest.mark.parametrize("payload", [None, 42, "text", [1, 2], {"text": 5}, {"text": {"$ne": None}}])
def test_wrong_payload_shapes_get_a_validation_error(connect, payload):
    sock = connect()
    sock.emit("probe_echo", payload)
    (error,) = errors_of(sock)
    assert error["code"] == "validation_error" and error["event"] == "probe_echo"


def test_a_bug_is_reported_and_the_connection_keeps_serving(connect):
    sock = connect()
    sock.emit("probe_bug", {})
    (error,) = errors_of(sock)
    assert error == {"message": "Internal server error", "code": "internal_error", "event": "probe_bug"}
    assert sock.is_connected()
    assert sock.emit("probe_echo", {"text": "still here"}, callback=True)["success"] is True


def test_errors_go_to_the_emitting_socket_only(connect, probe_app):
    app = probe_app()
    culprit, bystander = connect("a", app=app), connect("b", app=app)
    culprit.emit("probe_forbidden", {})
    assert errors_of(culprit) and errors_of(bystander) == []


def test_events_over_the_connection_limit_are_rate_limited(connect, probe_app):
    sock = connect(app=probe_app(RATE_LIMIT_SOCKET_EVENTS="3 per minute"))
    acks = [sock.emit("probe_echo", {"text": "x"}, callback=True) for _ in range(4)]
    assert [a["success"] for a in acks] == [True, True, True, False]
    assert acks[-1]["code"] == "rate_limited"
    assert errors_of(sock)[-1]["code"] == "rate_limited"


def test_an_expired_token_is_told_and_disconnected_on_its_next_event(connect, probe_app):
    app = probe_app()
    sock = connect(app=app)
    reg = sockets.registry(app)
    (conn,) = reg.connections.values()
    conn.actor = dataclasses.replace(conn.actor, exp=time.time() - 1)
    ack = sock.emit("probe_echo", {"text": "x"}, callback=True)
    assert ack["code"] == "token_expired"
    assert not sock.is_connected()  # the `error` event itself is checked end to end
    assert reg.connections == {}


def test_every_socket_joins_its_user_room(connect, probe_app):
    app = probe_app()
    first, second, other = connect("asha", app=app), connect("asha", app=app), connect("ravi", app=app)
    with app.app_context():
        realtime.publish("chat", "message_notification", {"n": 1}, realtime.user_room("asha"))
    for sock in (first, second):
        assert [e["name"] for e in sock.get_received()] == ["message_notification"]
    assert other.get_received() == []


def test_publish_reaches_the_feature_namespaces_only(connect, probe_app):
    app = probe_app()
    default, chat, tickets = (connect("asha", namespace=ns, app=app) for ns in ("/", "/chat", "/tickets"))
    with app.app_context():
        realtime.publish("chat", "new_message", {"n": 1}, realtime.user_room("asha"))
    assert [e["name"] for e in default.get_received("/")] == ["new_message"]
    assert [e["name"] for e in chat.get_received("/chat")] == ["new_message"]
    assert tickets.get_received("/tickets") == []


def test_handlers_work_on_a_feature_namespace(connect):
    sock = connect("asha", namespace="/chat")
    assert sock.emit("probe_echo", {"text": "hi"}, callback=True, namespace="/chat")["success"] is True


def test_disconnect_forgets_the_connection(connect, probe_app):
    app = probe_app()
    sock = connect(app=app)
    sock.disconnect()
    assert sockets.registry(app).connections == {}


def test_database_down_is_an_unavailable_error_and_the_socket_stays(connect, probe_app):
    app = probe_app(indexes=False, MONGODB_URI="mongodb://127.0.0.1:9/?directConnection=true",
                    MONGODB_TIMEOUT_MS=200)
    sock = connect(app=app)
    ack = sock.emit("probe_db", {}, callback=True)
    assert ack["code"] == "unavailable"
    assert errors_of(sock)[-1] == {"message": ack["error"], "code": "unavailable", "event": "probe_db"}
    assert sock.emit("probe_echo", {"text": "x"}, callback=True)["success"] is True


def test_one_user_may_hold_only_so_many_sockets(probe_app):
    app = probe_app(MAX_SOCKETS_PER_USER=2)
    socketio = app.extensions["socketio"]

    def open_as(user):
        return socketio.test_client(app, auth={"token": make_token(user)})

    first, second, third = open_as("greedy"), open_as("greedy"), open_as("greedy")
    assert [s.is_connected() for s in (first, second, third)] == [True, True, False]
    assert open_as("someone-else").is_connected()
    first.disconnect()
    assert open_as("greedy").is_connected()


def test_a_socket_keeps_no_server_objects_from_its_polling_handshake(app):
    """python-socketio keeps the handshake's environ for the socket's life: only its strings."""
    connection = object()  # what eventlet puts there: the HTTP connection's input stream, set_idle
    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=polling",
                             headers={"Origin": "http://localhost:3000"}).get_environ()
    environ.update({"eventlet.input": connection, "eventlet.set_idle": connection})
    answer = b"".join(app.wsgi_app(environ, lambda status, headers: None))
    server = app.extensions["socketio"].server
    (kept,) = server.environ.values()
    for session in list(server.eio.sockets.values()):
        session.close(wait=False, abort=True)  # nobody polls for the close packet
    assert answer.startswith(b"0{")  # the Engine.IO open packet
    assert connection not in kept.values() and kept["wsgi.input"].read() == b""
    assert kept["QUERY_STRING"] == "EIO=4&transport=polling"
    assert kept["HTTP_ORIGIN"] == "http://localhost:3000"
    assert environ["eventlet.input"] is connection  # the server's own environ is left alone


def test_socket_events_build_their_request_context_without_a_routing_failure(connect):
    """Each failure was an exception whose traceback kept the whole stack alive until a full GC."""
    assert connect().emit("probe_routing", {}, callback=True) == {"success": True, "data": {"failure": None}}


def test_the_socket_io_path_is_still_not_found_over_plain_http_and_not_rate_limited(make_app):
    client = make_app(RATE_LIMIT_REST="2 per minute").test_client()
    for path in ("/socket.io", "/nowhere"):
        answers = [client.get(path) for _ in range(4)]
        assert all(a.status_code == 404 and a.json["code"] == "not_found" for a in answers), path
