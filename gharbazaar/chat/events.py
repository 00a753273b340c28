"""Socket.IO events for chat, mounted on `/` and `/chat`: {event: handler(conn, payload)}."""

HANDLERS = {}
