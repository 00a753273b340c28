"""Who sees a user's presence: the contacts features declare, and the announcements sent to them."""
from flask import current_app

from .. import realtime


def register_contacts(app, provider):
    """Add a function user_id -> iterable of user ids who should see that user's presence."""
    app.extensions.setdefault("gharbazaar.contact_providers", []).append(provider)


def contacts_of(user_id):
    """Return everyone who shares a conversation or an open ticket with the user."""
    found = set()
    for provider in current_app.extensions.get("gharbazaar.contact_providers", ()):
        found.update(provider(user_id))
    found.discard(user_id)
    return found


def announce(user_id, event, payload):
    """Send a presence event to the user rooms of the user's contacts."""
    rooms = [realtime.user_room(contact) for contact in contacts_of(user_id)]
    if rooms:
        realtime.publish("presence", event, payload, rooms)
