"""Chat: routes, socket events, service and repository."""
