"""One HTTP request sent as raw bytes, to send what no client library would (no length, chunked, a drip)."""
import socket


def post(port, path, token, headers=(), body=b"", whole=False, timeout=10):
    """POST `body` with the given extra header lines; return the status line (whole=True: the answer)."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}", *headers, "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall("\r\n".join(head).encode() + body)
        answer = conn.makefile("rb")
        return answer.read() if whole else answer.readline()
