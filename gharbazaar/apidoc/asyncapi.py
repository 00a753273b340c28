"""Build the AsyncAPI 2.6 document of the Socket.IO events from the handlers the app really mounts."""
import copy

from .. import __version__, realtime
from .events import catalogue
from .spec import make_spec
from .views import Error

LIFECYCLE = {"connect", "disconnect", "*"}  # "*": what no handler takes, counted and dropped
DESCRIPTION = (
    "Socket.IO (Engine.IO v4) at `/socket.io/`, websocket and polling. Authenticate in the handshake: "
    "`io(url, {auth: {token}})`. Each channel is a namespace: `publish` lists the events a client "
    "emits, `subscribe` the events it receives. Every client event answers an optional ack with "
    "`{success: true, data}` (`x-ack`) or the error envelope, and failures are also emitted as `error`.")


def _key(event):
    """Return a component key for an event name (`ticket:new` -> `ticket.new`)."""
    return event.replace(":", ".")


def mounted_events(app):
    """Return {namespace: sorted client events} as registered on the app's Socket.IO server."""
    handlers = app.extensions["socketio"].server.handlers
    return {namespace: sorted(set(events) - LIFECYCLE) for namespace, events in sorted(handlers.items())}


def _server_events_on(server_events, namespace):
    return sorted(event for event, (_, feature, _) in server_events.items()
                  if feature is None or namespace in realtime.FEATURE_NAMESPACES[feature])


def _client_message(resolve, client_events, event):
    if event not in client_events:
        return {"name": event, "summary": "Not documented yet.", "payload": {}, "x-undocumented": True}
    payload, answer, summary = client_events[event]
    ack = {"oneOf": [{"type": "object", "required": ["success", "data"], "additionalProperties": False,
                      "properties": {"success": {"const": True}, "data": resolve(answer)}},
                     resolve(Error)]}
    return {"name": event, "title": event, "summary": summary, "payload": resolve(payload), "x-ack": ack}


def _server_message(resolve, server_events, event):
    payload, _, rooms = server_events[event]
    return {"name": event, "title": event, "summary": f"To: {rooms}.", "payload": resolve(payload)}


def _refs(events):
    return {"oneOf": [{"$ref": f"#/components/messages/{_key(event)}"} for event in events]}


def build(app):
    """Return the AsyncAPI document (a dict) for every namespace the app serves."""
    spec = make_spec()

    def resolve(schema):
        # The resolver swaps classes for $refs in place: give it copies, never the catalogue itself.
        return spec.plugins[0].resolver.resolve_schema_dict(copy.deepcopy(schema))
    messages, channels = {}, {}
    documented = catalogue(app)
    for namespace, events in mounted_events(app).items():
        for event in events:
            messages[_key(event)] = _client_message(resolve, documented["client"], event)
        received = _server_events_on(documented["server"], namespace)
        for event in received:
            messages[_key(event)] = _server_message(resolve, documented["server"], event)
        name = namespace.strip("/") or "root"
        channels[namespace] = {
            "description": f"Namespace `{namespace}`.",
            "publish": {"operationId": f"emit_{name}", "summary": "Client to server",
                        "message": _refs(events)},
            "subscribe": {"operationId": f"receive_{name}", "summary": "Server to client",
                          "message": _refs(received)}}
    return {"asyncapi": "2.6.0",
            "info": {"title": "GharBazaar real-time backend: Socket.IO events", "version": __version__,
                     "description": DESCRIPTION},
            "defaultContentType": "application/json",
            "channels": channels,
            "components": {"messages": dict(sorted(messages.items())),
                           "schemas": spec.to_dict().get("components", {}).get("schemas", {})}}
