"""People for tests: users no other test knows, with signed tokens."""
from dataclasses import dataclass

from gharbazaar.auth import Actor
from tests.support import auth, make_token, unique


@dataclass
class Person:
    id: str
    token: str
    name: str | None = None

    @property
    def headers(self):
        return auth(self.token)


def new_person(role="buyer", name=None, **claims):
    """Return a user no other test knows, with a signed token."""
    user_id = unique(role)
    return Person(user_id, make_token(user_id, role, name=name, **claims), name)


def actor(user, role):
    return Actor(id=user, role=role, email=f"{user}@example.com")
