"""Who sees a user's presence: the contacts features declare, and the announcements sent to them.

A provider answers user_id -> contacts: a user id (they see each other whatever their roles), or
(user id, STAFF_CONTACT) when that contact sees the user only while connected as staff (an
assignee, the customer of their ticket), or (user id, STAFF_USER) when the user sees that contact
only as staff (the same link from the assignee's side). Exclusions (blocks) leave people out
whatever a provider says.
"""
from flask import current_app

from .. import realtime

STAFF_CONTACT, STAFF_USER = "contact", "user"


def register_contacts(app, provider):
    """Add a function user_id -> iterable of contacts (see the module's docstring)."""
    app.extensions.setdefault("gharbazaar.contact_providers", []).append(provider)


def register_exclusions(app, provider):
    """Add a function user_id -> user ids who never see that user's presence, nor they theirs."""
    app.extensions.setdefault("gharbazaar.contact_exclusions", []).append(provider)


def _links(user_id):
    """Return {contact: staff side} for the user (None: no role needed; a role link loses to a plain one)."""
    excluded = {user_id}
    for exclusion in current_app.extensions.get("gharbazaar.contact_exclusions", ()):
        excluded.update(exclusion(user_id))
    links = {}
    for provider in current_app.extensions.get("gharbazaar.contact_providers", ()):
        for item in provider(user_id):
            contact, staff = (item, None) if isinstance(item, str) else item
            if contact not in excluded and (contact not in links or staff is None):
                links[contact] = staff
    return links


def contacts_of(user_id, as_staff=True):
    """Return the people whose presence the user sees when connected with that role (and who see theirs)."""
    return {contact for contact, staff in _links(user_id).items() if as_staff or staff != STAFF_USER}


def announce(user_id, event, payload):
    """Send a presence event to the contacts' user rooms (their staff sockets' room where only staff
    see it)."""
    rooms = [realtime.staff_user_room(contact) if staff == STAFF_CONTACT else realtime.user_room(contact)
             for contact, staff in _links(user_id).items()]
    if rooms:
        realtime.publish("presence", event, payload, rooms)


def introduce(user_id, viewer_id, event, payload):
    """Send a presence event about one user to one viewer, if the viewer is now their contact."""
    links = _links(user_id)
    if viewer_id in links:
        staff_only = links[viewer_id] == STAFF_CONTACT
        room = realtime.staff_user_room(viewer_id) if staff_only else realtime.user_room(viewer_id)
        realtime.publish("presence", event, payload, room)
