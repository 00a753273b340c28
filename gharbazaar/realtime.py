"""Publishing to sockets: the only module that knows room names and namespaces."""
from flask import current_app

from .redis_queue import EVERYTHING, ResilientRedisManager

# Every event works on the default namespace (the seed's clients) and on its feature's own.
NAMESPACES = ("/", "/chat", "/tickets")
FEATURE_NAMESPACES = {"chat": ("/", "/chat"), "tickets": ("/", "/tickets"), "presence": NAMESPACES}
EMPLOYEES_ROOM = "employees"


def user_room(user_id):
    """Return the room every socket of one user joins on connect."""
    return f"user:{user_id}"


def staff_user_room(user_id):
    """Return the room of one user's sockets connected with a staff token (what only staff may see)."""
    return f"user:{user_id}:staff"


def conversation_room(conversation_id):
    return f"conversation:{conversation_id}"


def viewer_room(conversation_id, user_id):
    """Return the room of one participant's sockets in a conversation (messages shown per viewer)."""
    return f"conversation:{conversation_id}:user:{user_id}"


def ticket_room(ticket_id):
    return f"ticket:{ticket_id}"


def ticket_staff_room(ticket_id):
    """Return the room of the staff following a ticket (internal notes go there, never to customers)."""
    return f"ticket-staff:{ticket_id}"


def join(conn, room):
    """Put one socket in a room (on its own namespace)."""
    current_app.extensions["socketio"].server.enter_room(conn.sid, room, namespace=conn.namespace)


def leave(conn, room):
    """Take one socket out of a room."""
    current_app.extensions["socketio"].server.leave_room(conn.sid, room, namespace=conn.namespace)


def broadcast(app, event, payload):
    """Emit an event to every socket of every process, on every namespace."""
    socketio = app.extensions["socketio"]
    manager = socketio.server.manager
    if isinstance(manager, ResilientRedisManager):  # one message to the other processes
        manager.emit_to_namespaces(event, payload, NAMESPACES, None)
        return
    for namespace in NAMESPACES:
        socketio.emit(event, payload, namespace=namespace)


def on_notice(app, topic, handler):
    """Run handler(app) whenever a process notifies `topic`, and after Redis outages (notices missed)."""
    app.extensions.setdefault("gharbazaar.notices", {}).setdefault(topic, []).append(handler)
    manager = app.extensions["socketio"].server.manager
    if isinstance(manager, ResilientRedisManager) and manager.on_notice is None:
        manager.on_notice = lambda noticed: _run_notice(app, noticed)


def notify(topic):
    """Tell every process, this one first, that what `topic` names changed (a cache to drop, say)."""
    app = current_app._get_current_object()
    _run_notice(app, topic)
    manager = app.extensions["socketio"].server.manager
    if isinstance(manager, ResilientRedisManager):
        manager.publish_notice(topic)


def _run_notice(app, topic):
    handlers = app.extensions.get("gharbazaar.notices", {})
    for name in (handlers if topic is EVERYTHING else [topic]):
        for handler in handlers.get(name, ()):
            handler(app)


def publish(feature, event, payload, rooms, skip_sid=None):
    """Emit an event to rooms on every namespace that serves the feature."""
    socketio = current_app.extensions["socketio"]
    rooms = [rooms] if isinstance(rooms, str) else list(rooms)
    manager = socketio.server.manager
    if isinstance(manager, ResilientRedisManager):  # one message to the other processes
        manager.emit_to_namespaces(event, payload, FEATURE_NAMESPACES[feature], rooms, skip_sid)
        return
    for namespace in FEATURE_NAMESPACES[feature]:
        if _listening(manager, namespace, rooms):
            socketio.emit(event, payload, to=rooms, namespace=namespace, skip_sid=skip_sid)


def _listening(manager, namespace, rooms):
    """Return True when a socket of this process is in one of the rooms on the namespace.

    Emitting encodes the packet first and looks for recipients after, so a namespace nobody
    follows the room on would cost an encoding per event for nothing.
    """
    held = manager.rooms.get(namespace)
    return held is not None and any(held.get(room) for room in rooms)
