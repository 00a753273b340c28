"""Email addresses, also disguised: "ravi at gmail dot com", "ravi[at]gmail[dot]com", "ravi @ gmail . com"."""
import re

from .domains import AT_SIGN, AT_WORD, DOT_SIGN, DOT_SPACED, PROVIDERS, tld_ok

MAIL_ONLY = frozenset("gmail googlemail hotmail rediffmail ymail".split())
_LOCAL = r"[a-z0-9._%+\-]"
_LABEL = r"[a-z0-9\-]{1,63}+"
_DOT = rf"(?:{DOT_SIGN}|{DOT_SPACED})"
_WORD_DOT = r"(?:[ \t]++dot[ \t]++|[ \t]*+[\[({][ \t]*+dot[ \t]*+[\])}][ \t]*+)"
_ADDRESS = re.compile(
    rf"(?<!{_LOCAL})(?P<local>{_LOCAL}{{1,64}}+(?:{_WORD_DOT}{_LOCAL}{{1,64}}+){{0,3}}+)"
    rf"(?P<at>{AT_SIGN}|{AT_WORD})(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,5}}+)")
_DOTS = re.compile(_DOT)


def find(folded):
    """Return (start, end, host) for each email address in folded text."""
    found, pos = [], 0
    while True:
        m = _ADDRESS.search(folded, pos)
        if not m:
            return found
        hit = _judge(m)
        if hit:
            found.append(hit)
            pos = m.end()
        else:  # the domain may be the local part of the next address: "mail me at ravi@gmail.com"
            pos = m.start("domain")


def labels_of(domain):
    """Split a domain written with any kind of dot into (labels, label ends, spelt-dot flags)."""
    labels, ends, spelt, pos = [], [], [], 0
    for sep in _DOTS.finditer(domain):
        labels.append(domain[pos:sep.start()])
        ends.append(sep.start())
        spelt.append("dot" in sep.group())
        pos = sep.end()
    labels.append(domain[pos:])
    ends.append(len(domain))
    return labels, ends, spelt


def _judge(m):
    """Return the address span if the match is an email address, else None."""
    local = m.group("local")
    start = m.start("local") + len(local) - len(local.lstrip("."))
    if not local.strip(".") or not any(ch.isalnum() for ch in local):
        return None
    at = m.group("at")
    worded = "@" not in at and "[" not in at and "(" not in at and "{" not in at and "<" not in at
    labels, ends, spelt = labels_of(m.group("domain"))
    provider = labels[0] in PROVIDERS
    for k in range(len(labels), 0, -1):
        host = labels[:k]
        if k == 1 and (not provider or (worded and labels[0] not in MAIL_ONLY)):
            return None  # "name@bank" is a UPI id; "I work at Zoho" is a workplace
        if k > 1 and not tld_ok(host, strict=worded and not provider):
            continue
        if worded and not provider and not all(spelt[:k - 1]):
            return None  # "listings at nobroker.in" is a link, "visit at gurgaon. in" a sentence
        return start, m.start("domain") + ends[k - 1], ".".join(host)
    return None
