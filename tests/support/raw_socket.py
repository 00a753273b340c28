"""A Socket.IO client that speaks the wire protocol by hand, to send what no library would."""
import json

import websocket

from tests.support import FRONTEND_ORIGIN


class RawSocket:
    """One Engine.IO v4 websocket, connected to the default namespace with a token."""

    def __init__(self, base_url, token, timeout=5):
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=timeout, origin=FRONTEND_ORIGIN,
                                              suppress_origin=False)
        assert self.ws.recv().startswith("0"), "no Engine.IO open packet"
        self.ws.send("40" + json.dumps({"token": token}))
        answer = self.next_packet()
        assert answer.startswith("0"), answer  # Socket.IO CONNECT: accepted

    def next_packet(self):
        """Return the next Socket.IO packet (answering Engine.IO pings on the way)."""
        while True:
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
                continue
            assert frame.startswith("4"), frame
            return frame[1:]

    def emit(self, *data, ack_id=None):
        """Send an event packet with any JSON array as its data (the name is data[0])."""
        self.ws.send("42" + ("" if ack_id is None else str(ack_id)) + json.dumps(list(data)))

    def ack(self, ack_id):
        """Return the data of the ack with this id, skipping other packets."""
        prefix = f"3{ack_id}"
        while True:
            packet = self.next_packet()
            if packet.startswith(prefix):
                return json.loads(packet[len(prefix):])

    def closed_by_server(self):
        """Return True when the server closes the connection before the receive timeout."""
        try:
            while True:
                frame = self.ws.recv()
                if frame in ("", None) or frame == "1":  # nothing more, or Engine.IO close
                    return True
                if frame == "2":
                    self.ws.send("3")
        except websocket.WebSocketConnectionClosedException:
            return True
        except websocket.WebSocketTimeoutException:
            return False

    def close(self):
        self.ws.close()
