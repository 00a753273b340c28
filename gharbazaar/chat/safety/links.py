"""Links: URLs, "www." hosts, bare domains and shorteners; allow-listed domains pass (shorteners never)."""
import re

from .domains import SHORTENERS, TLDS, WORDLIKE_TLDS, tld_ok

SENTENCE_WORDS = frozenset("in online site store shop".split())  # top-level domains that start sentences
_URL = re.compile(r"(?<![a-z0-9])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]++")
_HOST = re.compile(r"(?<![a-z0-9@.\-_/])[a-z0-9\-]++(?:\.[a-z0-9\-]++)++(?!@)(?P<path>/[^\s<>\"'`]*+)?")
# "bit dot ly", "example[.]com": a disguised dot before a top-level domain or a shortener's
_DISGUISED = re.compile(
    r"(?<![a-z0-9])(?P<name>[a-z0-9\-]{1,63}+)"
    r"(?:[ \t]*+[\[({][ \t]*+(?:dot|\.)[ \t]*+[\])}][ \t]*+|[ \t]++dot[ \t]++)"
    r"(?P<tld>com|in|net|org|ly|io|me|co|gl|xyz)(?![a-z0-9])"
    r"(?P<path>/[^\s]*+|[ \t]++slash[ \t]++[a-z0-9]++)?")


def find(folded, allows_domain, text=None):
    """Return (start, end, host) for each link whose host is not allowed by allows_domain(host).

    text, the original, tells "Ready.In december" (two sentences run together) from a domain."""
    found, taken_until = [], -1
    for m in _URL.finditer(folded):
        host = _host_of(m.group())
        if host and _flagged(host, allows_domain):
            found.append((m.start(), _trim(folded, m.start(), m.end()), host))
        taken_until = m.end()
    for m in _HOST.finditer(folded):
        if m.start() < taken_until and any(s <= m.start() < e for s, e, _ in found):
            continue
        host = m.group().split("/", 1)[0].rstrip(".-")
        labels = host.split(".")
        wordlike = labels[-1] in WORDLIKE_TLDS
        initials = max((len(label) for label in labels[:-1]), default=0) < 2  # "b.tech", "m.g.road"
        if host in SHORTENERS or (tld_ok(labels) and not initials and (not wordlike or m.group("path"))
                                  and (m.group("path") or not _sentence_joint(text, m.start(), host))):
            if not _inside_url(found, m.start()) and _flagged(host, allows_domain):
                found.append((m.start(), _trim(folded, m.start(), m.end()), host))
    for m in _DISGUISED.finditer(folded):
        host = f"{m.group('name')}.{m.group('tld')}"
        if host in SHORTENERS or m.group("tld") in TLDS or m.group("path"):
            if not _inside_url(found, m.start()) and _flagged(host, allows_domain):
                found.append((m.start(), m.end(), host))
    return found


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


def _inside_url(found, pos):
    return any(s <= pos < e for s, e, _ in found)


def _trim(folded, start, end):
    """Leave a sentence's closing punctuation outside the link."""
    while end > start and folded[end - 1] in ".,;:!?)]}'\"":
        end -= 1
    return end
