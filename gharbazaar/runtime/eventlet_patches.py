"""What the runtime changes in eventlet and python-engineio, and why: each piece has a test in
tests/runtime/ that fails if an upgrade changes what it replaces.
"""
import functools
import http.client
import io
import time
import weakref

from wsproto.frame_protocol import XorMaskerSimple

MALFORMED_REQUEST = '{"success": false, "error": "Malformed request", "code": "validation_error"}'
WSGI_KEYS = ("wsgi.version", "wsgi.url_scheme", "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess",
             "wsgi.run_once")


def install():
    """Apply the process-wide patches (the server does, before it serves)."""
    fast_unmasking()
    timer_pings()
    long_header_lines()
    json_uri_refusal()


def http_protocol(config):
    """Return eventlet's HTTP protocol with one-page buffers and time limits on slow clients."""
    import eventlet
    import eventlet.wsgi

    head_s, io_s = config["HTTP_HEAD_TIMEOUT_S"], config["HTTP_IO_TIMEOUT_S"]
    body_s, upload_s = config["HTTP_BODY_TIMEOUT_S"], config["UPLOAD_BODY_TIMEOUT_S"]

    class Protocol(eventlet.wsgi.HttpProtocol):
        # eventlet's are 16 KiB to write and 8 KiB to read, and a websocket keeps its connection's
        # for life though it never uses them after the upgrade: ~20 KiB per idle socket. Longer
        # request heads and responses still pass, in a few more system calls.
        rbufsize, wbufsize = 2048, 4096
        # http.server's own refusals (a request line it cannot split, such as one holding a raw
        # non-breaking space) answer the JSON envelope too, not an HTML page.
        error_message_format = MALFORMED_REQUEST
        error_content_type = "application/json"

        def handle_one_request(self):
            # One deadline for the whole head, idle keep-alive included: a per-read timeout alone
            # lets a client that sends a byte now and then hold its connection (and a slot) forever.
            self.head_timer = eventlet.Timeout(head_s)
            try:
                super().handle_one_request()
            except eventlet.Timeout as exc:
                if exc is not self.head_timer:
                    raise
                self.close_connection = 1
            finally:
                self.head_timer.cancel()

        def handle_one_response(self):
            self.head_timer.cancel()
            # A websocket's liveness is Engine.IO's ping timeout; anything else may wait io_s per
            # read of its body or write of its answer (a long-poll waits without reading or writing).
            upgrade = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
            self.connection.settimeout(None if upgrade else io_s)
            # eventlet's set_idle is a closure over this handler, which holds the environ: a reference
            # cycle per request, freed only by the cyclic collector. A websocket's handshake calls it
            # once its 101 is sent: the moment the HTTP connection's objects are no longer needed.
            self.environ.pop("eventlet.set_idle", None)
            if upgrade:
                self.environ["eventlet.set_idle"] = functools.partial(switched_protocols, weakref.ref(self))
            if not upgrade:
                # A body dripped a byte per read timeout held its connection for weeks: the whole
                # body now has one deadline (a long-polling GET waits without reading a body).
                upload = self.environ.get("CONTENT_TYPE", "").startswith("multipart/")
                limit = upload_s if upload else body_s
                self.environ["wsgi.input"] = BodyDeadline(self.environ["wsgi.input"], limit)
            return super().handle_one_response()

    return Protocol


def switched_protocols(handler_ref):
    """Release what a websocket's HTTP connection kept from its handshake: buffers and parsed head."""
    handler = handler_ref()
    if handler is None:
        return
    # The websocket reads and writes the raw socket; the handler's buffered files (a page each) and
    # parsed headers would otherwise stay for the socket's life, unused. Unbuffered files take their
    # place for what eventlet does when the socket ends (flush and close them). Bytes a client sent
    # before the 101 (RFC 6455 forbids it) were never read by the websocket, here or before.
    for name, mode in (("rfile", "rb"), ("wfile", "wb")):
        buffered = getattr(handler, name)
        setattr(handler, name, handler.connection.makefile(mode, 0))
        buffered.close()
    request_input = handler.environ.get("eventlet.input")
    if request_input is not None:
        request_input.rfile = handler.rfile
    handler.headers = http.client.HTTPMessage()


class BodyDeadline:
    """A request body that must arrive whole within `seconds` of its first read; a read past it raises
    TimeoutError, as a read past the per-read timeout does, and the app answers 408."""

    def __init__(self, raw, seconds):
        self._raw, self._seconds, self._until, self.expired = raw, seconds, None, False

    def _read(self, method, *args):
        import eventlet
        now = time.monotonic()
        self._until = self._until or now + self._seconds
        self.expired = now >= self._until
        if self.expired:
            raise TimeoutError("request body deadline passed")
        try:
            with eventlet.Timeout(self._until - now, TimeoutError("request body deadline passed")):
                return getattr(self._raw, method)(*args)
        except TimeoutError:
            self.expired = True  # werkzeug's form parser turns it into a 400: the app checks this
            raise

    def read(self, *args):
        return self._read("read", *args)

    def readline(self, *args):
        return self._read("readline", *args)

    def readlines(self, *args):
        return self._read("readlines", *args)

    def __iter__(self):
        return iter(self.readline, b"")

    def __getattr__(self, name):  # anything else (position, chunked_input ...) as eventlet has it
        return getattr(self._raw, name)


def json_uri_refusal():
    """Answer a request line over eventlet's URL limit (8 KiB) with the JSON envelope, not an empty 414."""
    import eventlet.wsgi

    body = '{"success": false, "error": "Request URI too long", "code": "validation_error"}'.encode()
    eventlet.wsgi.RESPONSE_414 = (b"HTTP/1.0 414 Request URI Too Long\r\nConnection: close\r\n"
                                  b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                  % (len(body), body))


def long_header_lines():
    """Let one header line be as long as eventlet lets the whole request head be (64 KiB)."""
    import eventlet.wsgi

    # eventlet refuses a header line of 8 KiB or more with a bare `400 Header Line Too Long`
    # before the app runs: an oversized token got that instead of the contract's JSON 401. The
    # head as a whole stays capped (MAX_TOTAL_HEADER_SIZE), so a request costs no more memory.
    eventlet.wsgi.MAX_HEADER_LINE = eventlet.wsgi.MAX_TOTAL_HEADER_SIZE


def unmask(data, mask, length=None, offset=0):
    """Return websocket payload bytes XORed with the 4-byte mask, starting at mask byte `offset`."""
    key = bytes(mask)
    key = key[offset % 4:] + key[:offset % 4]
    return bytes(XorMaskerSimple(key).process(data if length is None else data[:length]))


def fast_unmasking():
    """Unmask client frames with wsproto's translate tables instead of eventlet's byte loop."""
    import eventlet.websocket

    # Every frame a browser sends is masked, and eventlet unmasks it one byte at a time in Python:
    # 20 us for a 150-byte event (wsproto: 1.9 us), 16 ms for a 100 KB one (78 us), so a flood of
    # frames, or of large ones, kept the process busy on it alone. wsproto is simple-websocket's
    # dependency, pinned beside it.
    eventlet.websocket.RFC6455WebSocket._apply_mask = staticmethod(unmask)


def timer_pings():
    """Wait out Engine.IO's ping interval on a hub timer, not in a sleeping green thread per socket."""
    import eventlet
    from engineio import packet
    from engineio import socket as engine_socket

    # python-engineio starts a green thread per socket that sleeps the 25 s interval, then pings:
    # its saved stack is ~8 KiB per idle socket, where a pending timer is ~1.4 KiB. Same rule as
    # Socket.schedule_ping (one wait at a time, none once the socket closes), same packets.
    def schedule_ping(sock):
        if sock.last_ping:
            sock.last_ping = None
            eventlet.spawn_after(sock.server.ping_interval, ping, sock)

    def ping(sock):
        if not sock.closing and not sock.closed:
            sock.last_ping = time.time()
            sock.send(packet.Packet(packet.PING))

    engine_socket.Socket.schedule_ping = schedule_ping


def _is_polling_handshake(environ):
    """Return True for the request that opens an Engine.IO session over long-polling."""
    return (environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith("/socket.io")
            and "sid=" not in environ.get("QUERY_STRING", "")
            and environ.get("HTTP_UPGRADE", "").lower() != "websocket")


def lean_sockets(wsgi_app):
    """Wrap a WSGI app so that an idle socket holds as little of its handshake as possible."""
    def serve(environ, start_response):
        # Browsers always offer permessage-deflate and eventlet accepts it: every socket then keeps
        # a zlib compressor (~256 KiB) for its whole life and deflates every frame, for payloads of
        # a few hundred bytes. socket.io's own server leaves it off by default.
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        if _is_polling_handshake(environ):
            environ = handshake_environ(environ)
        return wsgi_app(environ, start_response)
    return serve


def handshake_environ(environ):
    """Return a copy of a handshake's environ without the server's objects for its connection."""
    # python-socketio keeps the handshake's environ as long as the socket lives, and eventlet's
    # entries (input stream, set_idle) hold that soon-closed HTTP connection with its buffers:
    # ~30 KiB per idle socket. Events only read the CGI and header strings; a GET has no body.
    lean = {key: value for key, value in environ.items() if isinstance(value, str) or key in WSGI_KEYS}
    lean["wsgi.input"] = io.BytesIO()
    return lean
