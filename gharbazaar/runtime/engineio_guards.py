"""Guards on python-engineio itself, below Socket.IO (see guards.py for why each exists).

Each wraps an engine.io method named in WRAPPED; tests/runtime/test_guards.py fails loudly if an
upgrade renames or reshapes one.
"""
import functools
import logging

log = logging.getLogger("gharbazaar.socket")
WRAPPED = ("Server.disconnect", "Socket.handle_post_request", "Socket.receive")


def install(eio, malformed):
    """Guard this server's disconnects, and (once per process) engine.io's socket reads."""
    _never_wait_on_refused_clients(eio)
    refuse_undecodable_polls(malformed)
    take_turns_reading()


def _never_wait_on_refused_clients(eio):
    """engine.io disconnects a client whose request it refused; never wait for that client to poll."""
    disconnect_all = eio.disconnect

    def disconnect(sid=None):
        if sid is None:
            return disconnect_all()
        session = eio.sockets.pop(sid, None)
        if session is not None:
            session.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        return None

    eio.disconnect = disconnect


def refuse_undecodable_polls(malformed):
    """Make a long-polling body that does not decode a refused request (400), not a traceback."""
    from engineio import exceptions, socket

    handle_post = socket.Socket.handle_post_request
    if getattr(handle_post, "guarded", False):
        return

    @functools.wraps(handle_post)
    def guarded(self, environ):
        try:
            return handle_post(self, environ)
        except (*malformed, OSError) as exc:  # OSError: the body did not arrive in time
            log.warning("long-polling body refused: %s", type(exc).__name__,
                        extra={"fields": {"sid": self.sid}})
            raise exceptions.UnknownPacketError() from None

    guarded.guarded = True
    socket.Socket.handle_post_request = guarded


YIELD_EVERY = 32  # frames this process reads before letting other green threads run


def take_turns_reading():
    """Stop reading a closed Engine.IO socket, and let other green threads run every few frames."""
    from engineio import exceptions, socket

    receive = socket.Socket.receive
    if getattr(receive, "guarded", False):
        return
    read = [0]

    @functools.wraps(receive)
    def guarded(self, pkt):
        if self.closed or self.closing:
            raise exceptions.SocketIsClosedError()  # ends the read loop (websocket) or the request
        read[0] += 1
        if read[0] % YIELD_EVERY == 0:
            self.server.sleep(0)
        return receive(self, pkt)

    guarded.guarded = True
    socket.Socket.receive = guarded
