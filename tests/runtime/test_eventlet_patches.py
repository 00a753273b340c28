"""The eventlet runner's own pieces that need no running server."""
import os

import pytest

from gharbazaar.runtime import eventlet_patches as server
from tests.support import run_python


def rfc6455_unmask(data, mask, offset):
    """RFC 6455 section 5.3, byte by byte: what eventlet computes."""
    return bytes(byte ^ mask[(offset + i) % 4] for i, byte in enumerate(data))


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 150, 4099])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 6])
def test_unmask_is_the_rfc_xor_from_any_offset(size, offset):
    data, mask = os.urandom(size), tuple(os.urandom(4))
    assert server.unmask(data, mask, offset=offset) == rfc6455_unmask(data, mask, offset)


def test_unmask_honours_a_length_shorter_than_the_data():
    data, mask = os.urandom(40), (1, 2, 3, 4)
    assert server.unmask(data, mask, length=10, offset=2) == rfc6455_unmask(data[:10], mask, 2)


def test_fast_unmasking_replaces_eventlets_byte_loop():
    # In a child process: importing eventlet here would install its fork warning in every later test.
    check = (
        "import os, warnings; warnings.simplefilter('ignore')\n"
        "from eventlet.websocket import RFC6455WebSocket as W\n"
        "from gharbazaar.runtime import eventlet_patches as server\n"
        "before = W.__dict__['_apply_mask']\n"
        "server.fast_unmasking()\n"
        "data = os.urandom(300)\n"
        "assert W.__dict__['_apply_mask'] is not before\n"
        "mask = [9, 8, 7, 6]\n"
        "assert W._apply_mask(data, mask, length=300, offset=1) == before.__func__(data, mask, 300, 1)\n"
    )
    run_python(check)


def test_long_header_lines_lets_one_header_line_be_as_long_as_the_whole_head():
    # In a child process, as above. It reads a 20 KB line through eventlet's own header reader,
    # so it fails if eventlet stops reading its limits from these module constants.
    check = (
        "import io, warnings; warnings.simplefilter('ignore')\n"
        "import eventlet.wsgi as w\n"
        "from gharbazaar.runtime import eventlet_patches as server\n"
        "line = b'Authorization: Bearer ' + b'a' * 20000 + b'\\r\\n'\n"
        "try:\n"
        "    w.FileObjectForHeaders(io.BytesIO(line)).readline()\n"
        "    raise SystemExit('eventlet took a 20 KB header line before the change')\n"
        "except w.HeaderLineTooLong:\n"
        "    pass\n"
        "server.long_header_lines()\n"
        "assert w.MAX_HEADER_LINE == w.MAX_TOTAL_HEADER_SIZE == 65536\n"
        "assert w.FileObjectForHeaders(io.BytesIO(line)).readline() == line\n"
    )
    run_python(check)


def test_the_eventlet_and_engine_io_internals_the_patches_replace_still_exist():
    # In a child process, as above: the names and shapes eventlet_patches relies on.
    check = (
        "import inspect, warnings; warnings.simplefilter('ignore')\n"
        "import eventlet.wsgi as w, eventlet.websocket as ws\n"
        "from engineio import socket as es\n"
        "for name in ('handle_one_request', 'handle_one_response', '_read_request_line'):\n"
        "    assert callable(getattr(w.HttpProtocol, name)), name\n"
        "assert {'rbufsize', 'wbufsize', 'error_message_format'} <= set(dir(w.HttpProtocol))\n"
        "assert isinstance(w.MAX_HEADER_LINE, int) and isinstance(w.MAX_TOTAL_HEADER_SIZE, int)\n"
        "assert list(inspect.signature(ws.RFC6455WebSocket._apply_mask).parameters)[:4] == "
        "['data', 'mask', 'length', 'offset']\n"
        "source = inspect.getsource(es.Socket.schedule_ping) + inspect.getsource(es.Socket._send_ping)\n"
        "assert 'last_ping' in source and 'ping_interval' in source and 'PING' in source, source\n"
    )
    run_python(check)


# A real eventlet server with the runtime's protocol, a websocket echo behind it, and a raw client.
SWITCH_CHECK = r"""
import base64, gc, os, warnings; warnings.simplefilter('ignore')
import eventlet, eventlet.websocket, eventlet.wsgi
from gharbazaar.runtime import eventlet_patches as patches

Protocol = patches.http_protocol({"HTTP_HEAD_TIMEOUT_S": 5, "HTTP_IO_TIMEOUT_S": 5,
                                  "HTTP_BODY_TIMEOUT_S": 5, "UPLOAD_BODY_TIMEOUT_S": 5})
seen = {}

@eventlet.websocket.WebSocketWSGI
def echo(ws):
    (handler,) = [o for o in gc.get_objects() if isinstance(o, Protocol) and o.environ is ws.environ]
    # by name: eventlet imports a socket module of its own
    seen["files"] = (type(handler.rfile).__name__, type(handler.wfile).__name__)
    seen["headers"] = len(handler.headers)
    seen["input"] = ws.environ["eventlet.input"].rfile is handler.rfile
    ws.send(ws.wait())

def app(environ, start_response):
    if environ.get("HTTP_UPGRADE"):
        return echo(environ, start_response)
    seen["plain_set_idle"] = "eventlet.set_idle" in environ
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]

listener = eventlet.listen(("127.0.0.1", 0))
eventlet.spawn(eventlet.wsgi.server, listener, app, log_output=False, protocol=Protocol)
port = listener.getsockname()[1]

plain = eventlet.connect(("127.0.0.1", port))
plain.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
assert plain.makefile("rb").read().endswith(b"ok")

client = eventlet.connect(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16))
client.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n"
               + b"X-Padding: " + b"p" * 3000 + b"\r\n\r\n")
reader = client.makefile("rb")
assert reader.readline().startswith(b"HTTP/1.1 101"), "no upgrade"
while reader.readline() != b"\r\n":
    pass
payload, mask = b"hello after the switch", b"\x01\x02\x03\x04"
masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
client.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
head = reader.read(2)
assert head == bytes([0x81, len(payload)]), head
assert reader.read(len(payload)) == payload
assert seen == {"plain_set_idle": False, "files": ("SocketIO", "SocketIO"), "headers": 0,
                "input": True}, seen
print("ok")
"""


def test_a_websocket_keeps_no_http_buffers_or_parsed_head_after_its_101():
    # After the handshake the handler's files are unbuffered (their pages freed), its parsed head
    # is empty, and the websocket still reads and writes; a plain request never gets the hook (the
    # environ holds no closure over its handler). Fails if eventlet stops calling set_idle after a 101.
    assert run_python(SWITCH_CHECK).strip().endswith("ok")


def test_switched_protocols_is_harmless_once_the_handler_is_gone():
    import weakref

    class Gone:
        pass

    ref = weakref.ref(Gone())  # the handler collected before the hook ran
    assert server.switched_protocols(ref) is None
