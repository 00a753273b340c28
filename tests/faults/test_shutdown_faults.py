"""SIGTERM while the database is dead or hung: exit 0 within 10 s, nothing acknowledged lost."""
import signal
import threading
import time

import pytest

from tests.faults.chat import BUSY, Burst, CLIENT_ERRORS, assert_stored_exactly_once, connect, \
    open_conversation, people

pytestmark = pytest.mark.e2e


def sigterm_while(database, fault, servers, stored, measured):
    (server,) = servers(**BUSY)
    buyer, seller = people()
    conversation_id = open_conversation(server, buyer, seller)
    burst = Burst(server, buyer, conversation_id, senders=2, count=10, give_up_s=10)
    burst.start().join()
    stuck = connect(server, buyer, conversation_id)
    answers = []

    def send_into_the_fault():
        try:
            answers.append(stuck.emit("send_message", {"conversationId": conversation_id, "content": "late",
                                                       "clientMessageId": "in-flight"}, timeout=15))
        except CLIENT_ERRORS as exc:
            answers.append(exc)
    fault()
    try:
        in_flight = threading.Thread(target=send_into_the_fault)
        in_flight.start()
        assert server.get("/api/v1/health/ready").status_code == 503  # the process sees the fault
        began = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        status = server.wait_exit(10)
        measured(f"SIGTERM with the database {fault.__name__}: exit (s)", time.monotonic() - began)
        in_flight.join(15)
    finally:
        database.resume()
        if database.process.poll() is not None:
            database.restart()
    assert status == 0, server.output()[-2000:]
    answer = answers[0]
    acked = dict(burst.acked)
    if isinstance(answer, dict) and answer.get("success"):  # acknowledged before it went: must be kept
        acked["in-flight"] = answer["data"]["message"]
    assert_stored_exactly_once(stored, conversation_id, acked)


def test_sigterm_while_the_database_is_dead_exits_zero_within_ten_seconds(
        database, servers, stored, measured):
    def killed():
        database.kill()
    sigterm_while(database, killed, servers, stored, measured)


def test_sigterm_while_the_database_is_hung_exits_zero_within_ten_seconds(
        database, servers, stored, measured):
    def hung():
        database.pause()
    sigterm_while(database, hung, servers, stored, measured)
