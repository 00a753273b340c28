"""Typing across two processes on Redis: the typist's tab on the other process hears nothing."""
import pytest

from tests.e2e import test_multiprocess as multi
from tests.support.people import new_person

cluster, clients, conversation, join = multi.cluster, multi.clients, multi.conversation, multi.join

pytestmark = [pytest.mark.e2e, pytest.mark.redis]


def test_typing_skips_the_typists_tabs_on_every_process_and_stops_when_its_socket_closes(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    conv_id = conversation(a, buyer, seller)
    own_tab, other = join(clients(b, buyer), conv_id), join(clients(b, seller), conv_id)
    typist = join(clients(a, buyer), conv_id)
    assert typist.emit("typing", {"conversationId": conv_id, "isTyping": True})["success"] is True
    assert other.wait_for("user_typing") == {"conversationId": conv_id, "userId": buyer.id, "isTyping": True}
    typist.close()
    assert other.wait_for("user_typing")["isTyping"] is False
    # Process B handled the start before the stop (one Redis channel, in order), and an answer on B
    # comes after what B sent this socket before it.
    assert own_tab.emit("presence:heartbeat", {})["success"] is True
    assert own_tab.received("user_typing") == []
