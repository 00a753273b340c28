"""Tickets: routes, socket events, service and repository."""
