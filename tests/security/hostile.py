"""Classes of hostile input, as fixed values (sweeps) and as hypothesis strategies (fuzzers).

Each class is a way input reached a 500 once: instants at the edges of the calendar with an
offset (out of range once in UTC), integers at and past 64 bits, unpaired surrogates (valid
JSON, invalid Unicode), malformed URLs, non-ASCII and control characters where ASCII is
expected, non-finite numbers. Sweeps put every value of every class into every field; the
fuzzers draw from the strategies, so they also find neighbours of these values.
"""
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

FILE_PATH = "/api/v1/files/0123456789abcdef01234567"

INSTANTS = [
    "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
]
INTEGERS = [2 ** 63 - 1, 2 ** 63, 2 ** 63 + 1, 2 ** 64, 10 ** 30, -2 ** 63, -2 ** 63 - 1, -(10 ** 30)]
NON_FINITE = [float("nan"), float("inf"), float("-inf"), 1e308]
SURROGATES = ["\ud800", "a\udfffb", "\udc00\ud800"]
URLS = [
    f"http://[::1{FILE_PATH}", f"http://[::1]:99999{FILE_PATH}", f"http://[zz]{FILE_PATH}",
    f"https://\ud800{FILE_PATH}", "//[", "javascript:alert(1)", f"http://exa mple.com{FILE_PATH}", "http://",
]
TEXT = ["é", "\u202egnp.exe", "\U0001f600", "\x00", "\uffff", "ß" * 3000]
SHAPES = [None, True, [], {}, 0.5, -1]

# class -> values, for JSON bodies and socket payloads
JSON_CLASSES = {"instant": INSTANTS, "integer": INTEGERS, "non_finite": NON_FINITE,
                "surrogate": SURROGATES, "url": URLS, "text": TEXT, "shape": SHAPES}

# Query strings and paths carry text only: the same classes as strings, plus raw bytes that
# are not UTF-8 (percent-encoded here, as a client would send them).
RAW_QUERY = ["%FF%FE", "%ED%A0%80", "%C3", "%00", "%E2%80%AE", "%F0%9F%98%80", "a%20b", "%25%32%35"]


def query_values():
    """Return (label, already percent-encoded value) for every query and path sweep value."""
    from urllib.parse import quote
    values = []
    for name, items in JSON_CLASSES.items():
        for item in items:
            if isinstance(item, str) or (isinstance(item, (int, float)) and not isinstance(item, bool)):
                text = item if isinstance(item, str) else repr(item) if isinstance(item, float) else str(item)
                values.append((name, quote(text.encode("utf-8", "surrogatepass"), safe="")))
    values += [("raw", raw) for raw in RAW_QUERY]
    return values


def json_values():
    """Return (label, value) for every JSON sweep value."""
    return [(name, value) for name, items in JSON_CLASSES.items() for value in items]


# ---- strategies: the same classes, generated -------------------------------------------------
def _offset_iso(moment, minutes):
    return moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat()


OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
edge_instants = st.one_of(
    st.builds(_offset_iso, st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 2)), OFFSETS),
    st.builds(_offset_iso, st.datetimes(min_value=datetime(9999, 12, 30),
                                        max_value=datetime(9999, 12, 31, 23, 59)), OFFSETS),
    st.sampled_from(INSTANTS),
)
wide_integers = st.one_of(
    st.integers(min_value=2 ** 63 - 3, max_value=2 ** 63 + 3),
    st.integers(min_value=2 ** 63, max_value=2 ** 200),
    st.integers(min_value=-(2 ** 63) - 3, max_value=-(2 ** 63) + 3),
    st.integers(min_value=-(2 ** 200), max_value=-(2 ** 63)),
)
non_finite = st.sampled_from(NON_FINITE)
unpaired = st.characters(categories=["Cs"])
surrogate_text = st.builds(lambda before, s, after: before + s + after, st.text(max_size=8), unpaired,
                           st.text(max_size=8))
malformed_urls = st.one_of(
    st.sampled_from(URLS),
    st.builds(lambda host, port: f"http://[{host}:{port}{FILE_PATH}",
              st.text("0123456789abcdef:", max_size=12), st.integers(min_value=0, max_value=10 ** 6)),
    st.builds(lambda port: f"http://h:{port}{FILE_PATH}", st.integers(min_value=65536, max_value=10 ** 12)),
)
non_ascii_text = st.text(st.characters(min_codepoint=0x80), min_size=1, max_size=20)
control_text = st.text(st.characters(max_codepoint=0x1f), min_size=1, max_size=5)

hostile_values = st.one_of(edge_instants, wide_integers, non_finite, surrogate_text, malformed_urls,
                           non_ascii_text, control_text)


def aimed_at(schema):
    """Return hostile values aimed at a field of this JSON schema, with some of every class."""
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if schema.get("format") == "date-time":
        return st.one_of(edge_instants, hostile_values)
    if kinds & {"integer", "number"}:
        return st.one_of(wide_integers, non_finite, hostile_values)
    if "string" in kinds:
        return st.one_of(surrogate_text, malformed_urls, non_ascii_text, control_text, hostile_values)
    return hostile_values


# Query strings and headers: text only (no surrogates: a URL holds UTF-8 bytes, which werkzeug decodes).
hostile_text = st.one_of(edge_instants, wide_integers.map(str), non_ascii_text, control_text,
                         malformed_urls.filter(lambda url: "\ud800" not in url))
