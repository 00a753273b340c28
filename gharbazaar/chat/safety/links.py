"""Links: URLs, "www." hosts, bare domains and shorteners; allow-listed domains pass (shorteners never)."""
import re
from bisect import bisect_right

from .domains import SHORTENERS, TLDS, WORDLIKE_TLDS, tld_ok

SENTENCE_WORDS = frozenset("in online site store shop".split())  # top-level domains that start sentences
# words that point at a site: after them a host on a word-like domain is a link ("visit flatsindia.co")
POINTERS = frozenset("""visit open click check website site web link url browse login signup register goto
 go""".split())
# "hxxps://" is how a link is defanged: still a link to whoever re-types it
_URL = re.compile(r"(?<![a-z0-9])(?:(?:h[tx]{2}ps?|ftp|upi)://|www\.)[^\s<>\"'`]++")
_HOST = re.compile(r"(?<![a-z0-9@.\-_/])[a-z0-9\-]++(?:\.[a-z0-9\-]++)++(?!@)(?P<path>/[^\s<>\"'`]*+)?")
# "bit dot ly", "example[.]com": a disguised dot before a top-level domain or a shortener's
_DISGUISED = re.compile(
    r"(?<![a-z0-9])(?P<name>[a-z0-9\-]{1,63}+)"
    r"(?:[ \t]*+[\[({][ \t]*+(?:dot|\.)[ \t]*+[\])}][ \t]*+|[ \t]++dot[ \t]++)"
    # the last label: "www[.]easyrent[.]in" is read from "easyrent", not cut at "www[.]easyrent"
    r"(?P<tld>[a-z]{2,12}+)(?![a-z0-9]|[ \t]*+[\[({][ \t]*+(?:dot|\.)|[ \t]++dot[ \t])"
    r"(?P<path>[ \t]*+/[ \t]*+[^\s]++|/|[ \t]++slash[ \t]++[a-z0-9]++)?")
# "www . bestflats . in", "bit . ly / x": a www. host or a shortener with spaces around its dots
_SPACED_WWW = re.compile(
    r"(?<![a-z0-9])www[ \t]*+\.[ \t]*+[a-z0-9\-]{1,63}+(?:[ \t]*+\.[ \t]*+[a-z]{2,24}+){1,3}+"
    r"|(?<![a-z0-9])[a-z0-9]{1,12}+[ \t]++\.[ \t]*+[a-z]{1,5}+(?![a-z0-9])")
_POINTER = re.compile(r"([a-z]++)(?:[ \t]++to)?+[^a-z0-9]{1,3}+$")


def find(folded, allows_domain, text=None):
    """Return (start, end, host) for each link whose host is not allowed by allows_domain(host).

    text, the original, tells "Ready.In december" (two sentences run together) from a domain."""
    found, taken = [], _Taken()
    for m in _URL.finditer(folded):
        host = _host_of(m.group())
        if host and _flagged(host, allows_domain):
            found.append((m.start(), _trim(folded, m.start(), m.end()), host))
            taken.add(*found[-1][:2])
    for m in _HOST.finditer(folded):
        if taken.covers(m.start()):
            continue
        host = m.group().split("/", 1)[0].rstrip(".-")
        labels = host.split(".")
        wordlike = labels[-1] in WORDLIKE_TLDS
        initials = max((len(label) for label in labels[:-1]), default=0) < 2  # "b.tech", "m.g.road"
        pointed = m.group("path") or _pointed(folded, m.start(), labels)
        if host in SHORTENERS or (tld_ok(labels) and not initials and (not wordlike or pointed)
                                  and (m.group("path") or not _sentence_joint(text, m.start(), host))):
            if not taken.covers(m.start()) and _flagged(host, allows_domain):
                found.append((m.start(), _trim(folded, m.start(), m.end()), host))
                taken.add(*found[-1][:2])
    for m in _SPACED_WWW.finditer(folded):
        host = re.sub(r"[ \t]", "", m.group()).removeprefix("www.")
        if not m.group().startswith("www") and host not in SHORTENERS:
            continue
        if tld_ok(host.split(".")) and not taken.covers(m.start()) and _flagged(host, allows_domain):
            found.append((m.start(), m.end(), host))
            taken.add(m.start(), m.end())
    for m in _DISGUISED.finditer(folded):
        host, tld = f"{m.group('name')}.{m.group('tld')}", m.group("tld")
        known = tld in TLDS or tld in WORDLIKE_TLDS
        if host in SHORTENERS or tld in TLDS or (known and (m.group("path") or _pointed(
                folded, m.start(), [m.group("name"), tld]))):
            if not taken.covers(m.start()) and _flagged(host, allows_domain):
                found.append((m.start(), m.end(), host))
                taken.add(m.start(), m.end())
    return found


def _pointed(folded, start, labels):
    """A host on a word-like domain is a link when a sentence never looks like it (a hyphen or a digit
    in its name: "refund-gharbazaar.top") or a word pointing at a site comes just before it."""
    if any(ch == "-" or ch.isdigit() for label in labels[:-1] for ch in label):
        return True
    m = _POINTER.search(folded, max(0, start - 16), start)
    return m is not None and m.group(1) in POINTERS


def _sentence_joint(text, start, host):
    """A capital right after the last dot of an otherwise lower-case host starts a new sentence."""
    if text is None:
        return False
    original = text[start:start + len(host)]
    after_dot = original[original.rfind(".") + 1:]
    return after_dot.lower() in SENTENCE_WORDS and after_dot[:1].isupper() and not original.isupper()


def _host_of(url):
    """Return the host of a URL (no scheme, credentials, port or path), or None."""
    rest = url.split("://", 1)[-1]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    return host or None


def _flagged(host, allows_domain):
    """Shorteners are always flagged: where they lead is unknown."""
    if host.startswith("www."):
        host = host[4:]
    return host in SHORTENERS or not allows_domain(host)


class _Taken:
    """The spans already found, sorted by start: whether a position is inside one costs a bisection, so
    a message of thousands of links stays linear (found links do not overlap one another)."""

    def __init__(self):
        self.starts, self.ends = [], []

    def add(self, start, end):
        at = bisect_right(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)

    def covers(self, pos):
        at = bisect_right(self.starts, pos) - 1
        return at >= 0 and self.ends[at] > pos


def _trim(folded, start, end):
    """Leave a sentence's closing punctuation outside the link."""
    while end > start and folded[end - 1] in ".,;:!?)]}'\"":
        end -= 1
    return end
