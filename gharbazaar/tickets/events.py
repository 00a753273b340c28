"""Socket.IO events for tickets, mounted on `/` and `/tickets`: {event: handler(conn, payload)}."""

HANDLERS = {}
