"""Typing reaches the other participant's sockets, never the typist's own tabs, and stops when the
last socket typing in a conversation closes."""


def typing(sock, conv_id, on=True):
    return sock.emit("typing", {"conversationId": conv_id, "isTyping": on}, callback=True)


def heard(sock):
    return [(e["args"][0]["userId"], e["args"][0]["isTyping"]) for e in sock.get_received()
            if e["name"] == "user_typing"]


def joined(socket_client, who, conv_id):
    sock = socket_client(who.token)
    assert sock.emit("join_conversation", conv_id, callback=True)["success"] is True
    sock.get_received()
    return sock


def test_typing_does_not_reach_the_typists_other_tabs(room, socket_client):
    buyer, seller, conv_id, typist, other = room
    own_tab = joined(socket_client, buyer, conv_id)
    assert typing(typist, conv_id)["success"] is True
    assert heard(other) == [(buyer.id, True)]
    assert heard(own_tab) == [] and heard(typist) == []


def test_closing_the_last_socket_typing_in_a_conversation_stops_it_for_the_others(room, socket_client):
    buyer, seller, conv_id, first, other = room
    second = joined(socket_client, buyer, conv_id)
    typing(first, conv_id), typing(second, conv_id)
    other.get_received()
    first.disconnect()
    assert heard(other) == []  # the second tab still types
    second.disconnect()
    assert heard(other) == [(buyer.id, False)]
    idle = joined(socket_client, buyer, conv_id)
    idle.disconnect()  # a socket that never typed stops nothing
    assert heard(other) == []
