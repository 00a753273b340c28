"""Email addresses, also disguised: "ravi at gmail dot com", "ravi[at]gmail[dot]com", "ravi @ gmail . com"."""
import re

from .domains import AT_SIGN, AT_WORD, DOT_SIGN, DOT_SPACED, PROVIDERS, tld_ok

MAIL_ONLY = frozenset("gmail googlemail hotmail rediffmail ymail".split())
SOCIAL = frozenset("instagram insta ig telegram twitter x threads snapchat snap fb facebook linkedin".split())
_LOCAL = r"[a-z0-9._%+\-]"
_LABEL = r"(?:(?:g|y|hot|rediff)[ \t]mail|out[ \t]look|[a-z0-9\-]{1,63}+)"  # "at g mail dot com"
_DOT = rf"(?:{DOT_SIGN}|{DOT_SPACED})"
_WORD_DOT = r"(?:[ \t]++dot[ \t]++|[ \t]*+[\[({][ \t]*+dot[ \t]*+[\])}][ \t]*+)"
_ADDRESS = re.compile(
    rf"(?<!{_LOCAL})(?P<local>{_LOCAL}{{1,64}}+(?:{_WORD_DOT}{_LOCAL}{{1,64}}+){{0,3}}+)"
    rf"(?P<at>{AT_SIGN}|{AT_WORD})(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,5}}+)")
_DOTS = re.compile(_DOT)
_MAILBOXES = r"(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|rediffmail|rediff|icloud|protonmail)"
# A symbol standing in for "@" before a mail provider: "anjali#gmail.com", "ravi * yahoo . in"
_STAND_IN = re.compile(rf"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{{2,64}}+[ \t]*+[#*&$%!~^][ \t]*+{_MAILBOXES}"
                       rf"(?:\.|[ \t]++dot[ \t]++)(?:com|in|co\.in|net)(?![a-z0-9])")
# A user name right before its provider: "mail kar do deepak123 gmail pe"
_BEFORE_PROVIDER = re.compile(rf"(?<![a-z0-9._@])(?P<box>[a-z][a-z0-9._]{{2,40}}+)[ \t]++{_MAILBOXES}"
                              r"(?:[ \t]++(?:pe|par|id|account|on)\b|[ \t]*+$)")
# A mailbox named by its provider, no domain written: "my gmail is vikram.singh1985", "gmail id hai ritu_s"
_NAMED = re.compile(rf"(?<![a-z0-9]){_MAILBOXES}(?:[ \t]++(?:id|address|account|acc))?+"
                    rf"(?:[ \t]++(?:is|hai|h|he)|[ \t]*+[:=\-])[ \t:=\-]*+"
                    rf"(?P<box>[a-z0-9][a-z0-9._]{{2,40}}+)")


def find(folded):
    """Return (start, end, host) for each email address in folded text."""
    found, pos = [m.span() + ("",) for m in _STAND_IN.finditer(folded)], 0
    for m in [*_NAMED.finditer(folded), *_BEFORE_PROVIDER.finditer(folded)]:
        box = m.group("box").rstrip("._")
        # a user name has a digit, a dot or an underscore; "my gmail is not working" names none
        if any(ch.isdigit() or ch in "._" for ch in box) and any(ch.isalpha() for ch in box):
            found.append((min(m.start(), m.start("box")), max(m.start("box") + len(box), m.end()), ""))
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
    if at[:1] in " \t" and local.lower() in SOCIAL:
        return None  # "Instagram @luxe.homes": a handle on that app, not an address
    worded = "@" not in at and "[" not in at and "(" not in at and "{" not in at and "<" not in at
    labels, ends, spelt = labels_of(m.group("domain"))
    labels[0] = labels[0].replace(" ", "").replace("\t", "")
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
