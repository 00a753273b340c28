"""Tickets for tests: a valid new ticket, employees in the room, loads checked against tickets."""
from gharbazaar.db import get_db
from gharbazaar.tickets import states
from tests.support import auth, make_token

TICKET = {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": "My refund never arrived."}


def join_as_employee(app, user, role="employee"):
    """Connect an employee to this app and put them in the employee room (live presence)."""
    sock = app.extensions["socketio"].test_client(app, auth={"token": make_token(user, role)})
    assert sock.emit("join_employee_room", None, callback=True)["success"] is True
    return sock


def open_ticket(app, customer):
    answer = app.test_client().post("/api/v1/tickets", json=TICKET, headers=auth(make_token(customer)))
    return answer.get_json()["data"]["ticket"]


def assert_loads_match_tickets(app):
    """Every load document counts exactly its employee's active tickets, hold for hold."""
    with app.app_context():
        db = get_db()
        for load in db.ticketloads.find():
            query = {"assignedTo": load["_id"], "status": {"$in": sorted(states.ACTIVE)}}
            active = list(db.tickets.find(query))
            assert load["active"] == len(load["holds"]) == len(active)
            assert {h["token"] for h in load["holds"]} == {t["hold"] for t in active}
