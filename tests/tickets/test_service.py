"""The ticket service itself: races with one winner, load bookkeeping, contacts, names, file access."""
import threading

import pytest
from pymongo.errors import ConnectionFailure

from gharbazaar.auth import Actor
from gharbazaar.errors import AppError, Conflict, Forbidden, InvalidTransition
from gharbazaar.presence import service as presence
from gharbazaar.tickets import access, capacity, repository, service
from gharbazaar.users import service as users
from tests.support import make_token
from tests.support.tickets import TICKET
from tests.support.people import actor
from tests.support.races import before_next_call
from tests.support.tickets import assert_loads_match_tickets

TICKET_DATA = {**TICKET, "categoryId": None, "subCategoryId": None}


@pytest.fixture
def ctx(make_app):
    """An app context on an app without auto-assignment (these tests assign by hand)."""
    app = make_app(AUTO_ASSIGN=False)
    with app.app_context():
        yield app


def race(app, calls):
    """Run the calls at the same instant, each in its own thread; return [result or AppError]."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = call()
            except AppError as exc:
                results[index] = exc
    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_employees_racing_to_assign_get_one_winner_and_409s(ctx, people):
    ticket = service.create(actor(people.customer, "buyer"), TICKET_DATA)
    staff = [actor(f"{people.emp1}-{n}", "employee") for n in range(6)]
    results = race(ctx, [lambda a=a: service.assign(a, str(ticket["_id"])) for a in staff])
    winners = [r for r in results if isinstance(r, dict)]
    losers = [r for r in results if isinstance(r, AppError)]
    assert len(winners) == 1 and len(losers) == 5
    assert {(type(e), e.status, e.code, e.message) for e in losers} == {
        (InvalidTransition, 409, "invalid_transition", "Ticket is already assigned")}
    stored, _ = service.get(staff[0], str(ticket["_id"]))
    assert [h["status"] for h in stored["history"]] == ["open", "assigned"]
    assert stored["assignedTo"] == winners[0]["assignedTo"]
    assert_loads_match_tickets(ctx)


def test_the_assignee_and_an_admin_racing_to_close_get_one_winner(ctx, people):
    ticket_id = str(service.create(actor(people.customer, "buyer"), TICKET_DATA)["_id"])
    assignee, admin = actor(people.emp1, "employee"), actor(people.admin, "admin")
    service.assign(assignee, ticket_id)
    results = race(ctx, [lambda: service.close(assignee, ticket_id), lambda: service.close(admin, ticket_id)])
    assert sorted(type(r).__name__ for r in results) == ["InvalidTransition", "dict"]
    (loser,) = [r for r in results if isinstance(r, AppError)]
    assert (loser.message, loser.status) == ("Ticket is closed", 409)
    assert capacity.find_load(people.emp1)["active"] == 0


def test_load_follows_reassignment_and_a_customer_reopening(ctx, people):
    customer, emp1 = actor(people.customer, "buyer"), actor(people.emp1, "employee")
    admin = actor(people.admin, "admin")
    users.remember(actor(people.emp2, "employee"))
    ticket_id = str(service.create(customer, TICKET_DATA)["_id"])
    service.assign(emp1, ticket_id)
    service.assign(admin, ticket_id, people.emp2)
    assert (capacity.find_load(people.emp1)["active"], capacity.find_load(people.emp2)["active"]) == (0, 1)
    emp2 = actor(people.emp2, "employee")
    service.set_status(emp2, ticket_id, "in_progress")
    service.set_status(emp2, ticket_id, "resolved")
    assert capacity.find_load(people.emp2)["active"] == 0
    service.post_message(customer, ticket_id, {"message": "Not fixed", "fileUrl": None, "fileName": None})
    # emp2 has no socket: not available, so the reopened ticket goes back to the pool.
    reopened = service.get(customer, ticket_id)[0]
    assert (reopened["status"], reopened["assignedTo"]) == ("open", None)
    assert capacity.find_load(people.emp2)["active"] == 0
    assert_loads_match_tickets(ctx)


def test_rules_hold_in_the_service_whatever_the_transport(ctx, people):
    with pytest.raises(Forbidden, match="^Employees cannot create support tickets$"):
        service.create(actor(people.emp1, "employee"), TICKET_DATA)
    with pytest.raises(Forbidden, match="^Only employees can view all tickets$"):
        service.list_all(actor(people.customer, "buyer"), {"status": "all", "limit": 5, "before": None,
                                                           "assignedTo": None})
    ticket_id = str(service.create(actor(people.customer, "buyer"), TICKET_DATA)["_id"])
    with pytest.raises(Forbidden, match="^Only employees can join employee room$"):
        access.require_employee(actor(people.customer, "buyer"))
    assert access.can_read(actor(people.customer, "buyer"), ticket_id)
    assert access.can_read(actor(people.emp2, "employee"), ticket_id)
    assert not access.can_read(actor(people.other, "buyer"), ticket_id)
    assert not access.can_read(actor(people.customer, "buyer"), "not-an-id")


def test_owners_and_assignees_are_presence_contacts_until_the_ticket_closes(ctx, people):
    ticket_id = str(service.create(actor(people.customer, "buyer"), TICKET_DATA)["_id"])
    assert presence.contacts_of(people.customer) == set()
    service.assign(actor(people.emp1, "employee"), ticket_id)
    assert presence.contacts_of(people.customer) == {people.emp1}
    assert presence.contacts_of(people.emp1) == {people.customer}
    service.close(actor(people.emp1, "employee"), ticket_id)
    assert presence.contacts_of(people.customer) == set()


def test_the_assignee_sees_the_customer_come_online(socket_client, rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    employee = socket_client(make_token(people.emp1, "employee"))
    employee.get_received()
    socket_client(make_token(people.customer))
    online = [e["args"][0] for e in employee.get_received() if e["name"] == "presence:user-online"]
    assert online == [{"userId": people.customer, "status": "online"}]


def test_the_backend_learns_names_from_the_people_who_act(ctx, people):
    ticket = service.create(Actor(id=people.customer, role="buyer", name="Asha Rao"), TICKET_DATA)
    assert ticket["userName"] == "Asha Rao"
    assert users.profiles([people.customer])[people.customer]["name"] == "Asha Rao"


def test_a_ticket_is_never_stored_without_its_first_message(ctx, people, monkeypatch):
    # A database failure between the two writes must not leave a ticket (listed, assigned) whose
    # problem nobody can read: the message goes first, the ticket last.
    customer = actor(people.customer, "buyer")

    def database_away(doc):
        raise ConnectionFailure("database away")

    monkeypatch.setattr(repository, "add_message", database_away)
    with pytest.raises(ConnectionFailure):
        service.create(customer, TICKET_DATA)
    assert repository.page({"userId": customer.id}, 10, None) == []
    monkeypatch.undo()
    ticket = service.create(customer, TICKET_DATA)
    assert [m["message"] for m in repository.messages(ticket["_id"], 10)] == [TICKET_DATA["problem"]]


def test_a_customer_message_racing_a_resolve_reopens_the_ticket(ctx, people, monkeypatch):
    customer, emp1 = actor(people.customer, "buyer"), actor(people.emp1, "employee")
    ticket_id = str(service.create(customer, TICKET_DATA)["_id"])
    service.assign(emp1, ticket_id)
    service.set_status(emp1, ticket_id, "in_progress")
    # The resolve lands while the customer's message is being stored.
    before_next_call(monkeypatch, repository, "add_message",
                     lambda: service.set_status(emp1, ticket_id, "resolved"))
    service.post_message(customer, ticket_id, {"message": "Still broken", "fileUrl": None, "fileName": None})
    ticket, messages = service.get(customer, ticket_id)
    assert ticket["status"] != "resolved" and ticket["history"][-1]["reason"].startswith("customer reply")
    assert messages[-1]["message"] == "Still broken"


def test_a_message_racing_a_close_is_refused_and_not_stored(ctx, people, monkeypatch):
    customer, emp1 = actor(people.customer, "buyer"), actor(people.emp1, "employee")
    ticket_id = str(service.create(customer, TICKET_DATA)["_id"])
    service.assign(emp1, ticket_id)
    before_next_call(monkeypatch, repository, "add_message", lambda: service.close(emp1, ticket_id))
    with pytest.raises(Conflict):
        service.post_message(customer, ticket_id, {"message": "Too late", "fileUrl": None, "fileName": None})
    ticket, messages = service.get(customer, ticket_id)
    assert ticket["status"] == "closed" and [m["message"] for m in messages] == [TICKET_DATA["problem"]]
