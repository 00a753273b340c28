"""The protocol guards against the python-socketio internals they wrap (fails loudly on an upgrade)."""
import inspect

import pytest

import socketio
from socketio.packet import Packet

from gharbazaar import sockets
from gharbazaar.runtime import guards
from tests.support import make_token

# The private methods the guards wrap, with the parameters they are called with.
SIGNATURES = {
    "_handle_event": ["eio_sid", "namespace", "id", "data"],
    "_handle_eio_message": ["eio_sid", "data"],
    "_handle_eio_connect": ["eio_sid", "environ"],
    "_handle_connect": ["eio_sid", "namespace", "data"],
    "_handle_eio_disconnect": ["eio_sid", "reason"],
}


def test_the_wrapped_python_socketio_methods_still_exist_with_their_parameters():
    assert set(SIGNATURES) == set(guards.WRAPPED)
    for name, params in SIGNATURES.items():
        assert list(inspect.signature(getattr(socketio.Server, name)).parameters)[1:] == params, name
    packet = Packet(encoded_packet='51-["x",{"_placeholder":true,"num":0}]')
    assert (packet.attachment_count, packet.attachments) == (1, [])
    assert isinstance(socketio.Server(async_mode="threading")._binary_packet, dict)


def test_the_wrapped_python_engineio_methods_still_exist_with_their_parameters(app):
    from engineio import exceptions, server, socket

    from gharbazaar.runtime import engineio_guards
    wrapped = {"Server.disconnect", "Socket.handle_post_request", "Socket.receive"}
    assert set(engineio_guards.WRAPPED) == wrapped
    for name, params in {"receive": ["pkt"], "handle_post_request": ["environ"]}.items():
        wrapped = getattr(socket.Socket, name)
        assert getattr(wrapped, "guarded", False), name  # installed by the app
        assert list(inspect.signature(wrapped.__wrapped__).parameters)[1:] == params, name  # engine.io's
    assert list(inspect.signature(server.Server.disconnect).parameters)[1:] == ["sid"]
    assert issubclass(exceptions.SocketIsClosedError, exceptions.EngineIOError)
    assert issubclass(exceptions.UnknownPacketError, exceptions.EngineIOError)


def test_engine_io_calls_the_guarded_handlers(app):
    server = app.extensions["socketio"].server
    for event in ("connect", "message", "disconnect"):
        assert server.eio.handlers[event] == getattr(server, f"_handle_eio_{event}"), event
        assert f"_handle_eio_{event}" in vars(server), event  # the guard, not the class's method


def test_a_reserved_name_from_a_client_runs_no_connect_or_disconnect_logic(app, socket_client):
    sock = socket_client(make_token("reserved-in-process"))
    registry = sockets.registry(app)
    for name in sorted(guards.RESERVED):
        assert sock.emit(name, {"x": 1}, callback=True) is None  # dropped: not even an ack
    assert sock.is_connected() and registry.per_user["reserved-in-process"] == 1
    assert sock.emit("presence:heartbeat", {}, callback=True)["success"] is True


def test_an_authenticated_socket_is_no_longer_pending(app, socket_client):
    socket_client(make_token("pending-check"))
    assert len(app.extensions["gharbazaar.pending_handshakes"]) == 0


def test_the_manager_and_engine_io_parts_the_pending_guard_reads_still_exist():
    import engineio

    assert list(inspect.signature(socketio.Manager.disconnect).parameters)[1:3] == ["sid", "namespace"]
    for name in ("eio_sid_from_sid", "sid_from_eio_sid", "get_namespaces"):
        assert callable(getattr(socketio.Manager, name)), name
    session = engineio.socket.Socket(engineio.Server(async_mode="threading"), "sid")
    assert (session.closing, session.closed) == (False, False)
    assert isinstance(socketio.Server(async_mode="threading").eio.sockets, dict)


UNKNOWN = ["SEND_MESSAGE", "no-such-event", "ticket_message"]  # ticket_message: not a /chat event


@pytest.mark.parametrize("names", [UNKNOWN, sorted(guards.RESERVED)])
def test_events_no_handler_takes_count_against_the_connection_and_a_flood_of_them_is_cut_off(
        make_app, caplog, names):
    # Unknown names (a typo, another namespace's event) and reserved ones ran no handler, so no
    # limit saw them: a socket could send them without end, a reserved one logging a line each.
    app = make_app(RATE_LIMIT_SOCKET_EVENTS="5 per second", RATE_LIMIT_SOCKET_FLOOD="20 per minute")
    namespace = "/chat" if "ticket_message" in names else "/"
    sock = app.extensions["socketio"].test_client(app, namespace=namespace,
                                                  auth={"token": make_token("unhandled")})
    sent = 0
    while sock.is_connected(namespace) and sent < 200:
        sock.emit(names[sent % len(names)], {"x": 1}, namespace=namespace)
        sent += 1
    assert not sock.is_connected(namespace) and sent <= 26, "cut off as a flood of known events is"
    logged = [r.getMessage() for r in caplog.records if r.name == "gharbazaar.socket"]
    assert logged == ["socket cut off for flooding"], "one line, not one per frame"
