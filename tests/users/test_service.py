"""Users learned from tokens: writes made together share a round trip and each lands."""
import threading

from gharbazaar.auth import Actor
from gharbazaar.users import repository, service
from tests.support import unique


def test_users_who_act_together_are_each_stored_once(app):
    ids = [unique("together") for _ in range(8)]
    actors = [Actor(id=user, role="buyer", name=f"Name {user}") for user in ids]
    actors += [Actor(id=ids[0], role="buyer", name=f"Name {ids[0]}")]  # the same user in two tabs

    def upsert(actor):
        with app.app_context():
            repository.upsert(actor)

    threads = [threading.Thread(target=upsert, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    with app.app_context():
        stored = repository.find_many(ids)
        assert {user: doc["name"] for user, doc in stored.items()} == {user: f"Name {user}" for user in ids}
        assert service.profiles([ids[1]])[ids[1]]["name"] == f"Name {ids[1]}"


def test_a_changed_name_is_stored_again(app):
    user = unique("renamed")
    with app.app_context():
        service.remember(Actor(id=user, role="buyer", name="Before"))
        service.remember(Actor(id=user, role="seller", name="After"))
        assert repository.find_many([user])[user]["name"] == "After"
        assert repository.find_many([user])[user]["role"] == "seller"
