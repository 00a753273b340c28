"""Presence through tickets follows the viewer's role and the chat's blocks, as access does."""
from tests.support import auth, make_token


def presence_of(sock, name="presence:user-online"):
    return [e["args"][0]["userId"] for e in sock.get_received() if e["name"] == name]


def status_seen(sock, user):
    (answer,) = sock.emit("presence:get-status", {"userIds": [user]}, callback=True)["data"]["users"]
    return answer["status"]


def test_an_assignee_sees_the_customer_only_through_a_staff_token(people, new_ticket, rest, socket_client):
    ticket = new_ticket(people.customer)
    assert rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee").status_code == 200
    as_staff = socket_client(make_token(people.emp1, "employee"))
    as_buyer = socket_client(make_token(people.emp1, "buyer"))  # the same person, a customer's token
    as_staff.get_received(), as_buyer.get_received()
    customer = socket_client(make_token(people.customer))
    assert presence_of(as_staff) == [people.customer]
    assert presence_of(as_buyer) == []
    assert status_seen(as_buyer, people.customer) == "offline"
    assert status_seen(customer, people.emp1) == "online"  # the owner sees their assignee, whatever the token


def test_a_block_hides_presence_through_tickets_too(client, people, new_ticket, rest, socket_client):
    ticket = new_ticket(people.customer)
    assert rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee").status_code == 200
    employee = socket_client(make_token(people.emp1, "employee"))
    blocked = client.post("/api/v1/chat/blocks", json={"userId": people.emp1},
                          headers=auth(make_token(people.customer)))
    assert blocked.status_code == 200
    employee.get_received()
    customer = socket_client(make_token(people.customer))
    customer.disconnect()
    assert presence_of(employee) == [] and presence_of(employee, "presence:user-offline") == []
    customer = socket_client(make_token(people.customer))
    assert status_seen(customer, people.emp1) == "offline"
