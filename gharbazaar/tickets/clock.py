"""The tickets' clock: the wall clock, or one a test installs to control time."""
from flask import current_app, has_app_context

from ..models import utcnow

KEY = "gharbazaar.tickets.clock"


def now():
    """Return the current instant as the tickets see it (aware UTC, millisecond precision)."""
    clock = current_app.extensions.get(KEY) if has_app_context() else None
    return clock() if clock else utcnow()


def install(app, clock):
    """Make the app's tickets read time from clock() (None: the wall clock again)."""
    if clock is None:
        app.extensions.pop(KEY, None)
    else:
        app.extensions[KEY] = clock
