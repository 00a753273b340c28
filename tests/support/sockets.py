"""What a Flask-SocketIO test client received."""


def chat_events(sock, name, namespace="/"):
    """Return the payloads of one event received by a Flask-SocketIO test client."""
    return [e["args"][0] for e in sock.get_received(namespace) if e["name"] == name]


def received(sock, namespace="/"):
    """Return every event (name, payload) a Flask-SocketIO test client received."""
    return [(e["name"], e["args"][0] if e["args"] else None) for e in sock.get_received(namespace)]


def drain(sock, name=None, namespace="/"):
    """Return [(event, payload)] received since the last call (only `name` when given)."""
    got = [(e["name"], e["args"][0] if e["args"] else None) for e in sock.get_received(namespace)]
    return [item for item in got if name is None or item[0] == name]
