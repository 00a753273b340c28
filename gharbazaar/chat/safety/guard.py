"""Inspect one chat message: run every detector on the folded text and decide under the policy."""
import re

from . import apps, emails, links, otp, payments, phones, sums, upi
from .phrases import Words
from .text import fold
from .verdict import decide

# Four or more single letters, digits, "@" or "." spaced apart ("w h a t s a p p", "s h r e y a @ g m a i l",
# "9 8 7 6 5@ybl"), or five or more letters between dots ("w.h.a.t.s.a.p.p")
_SPACED_OUT = re.compile(r"(?<!\S)[a-z0-9@.](?: [a-z0-9@.](?!\S)){3,}+(?: [a-z0-9]++@[a-z0-9.]++)?+"
                         r"|(?<![a-z0-9.])[a-z](?:\.[a-z](?![a-z0-9])){4,}+")


def inspect(text, policy):
    """Return the Verdict for text under policy; linear in the text's length, never raises on a str."""
    if not isinstance(text, str):
        raise TypeError(f"inspect() needs a str, got {type(text).__name__}")
    folded = fold(text)
    found = _detect(folded, policy, text)
    found["phone"] = phones.find(folded)  # spaced digits are a phone's own business
    closed = _closed_up(folded)
    if closed is not None:
        joined, where = closed
        for category, spans in _detect(joined, policy).items():
            found[category] += [(where[s], where[e - 1] + 1) for s, e in spans]
    if found["upi"] and not found["payment"] and sums.mentions_money(Words(folded)):
        found["payment"] = list(found["upi"])  # "token yahi pe bhejna: ravi@ybl": where to pay
    return decide(text, found, policy)


def _detect(folded, policy, text=None):
    """Return the spans each detector but the phone's finds in folded text."""
    w = Words(folded)
    mail_spans = [(s, e) for s, e, _ in emails.find(folded)]
    w.hide(mail_spans)
    web = [(s, e) for s, e, _ in links.find(folded, policy.allows_domain, text)
           if not any(s < me and ms < e for ms, me in mail_spans)]
    return {
        "email": mail_spans,
        "upi": upi.find(folded),
        "payment": payments.find(folded, w),
        "otp": otp.find(folded, w),
        "link": web,
        "messaging_app": apps.find(folded, w),
    }


def _closed_up(folded):
    """Return (text, original position of each character) with letter-spaced words closed up, or None."""
    runs = list(_SPACED_OUT.finditer(folded))
    if not runs:
        return None
    parts, where, pos = [], [], 0
    for m in runs:
        parts.append(folded[pos:m.start()])
        where.extend(range(pos, m.start()))
        gap = " " if " " in m.group() else "."
        kept = [p for p in range(m.start(), m.end()) if folded[p] != gap]
        parts.append("".join(folded[p] for p in kept))
        where.extend(kept)
        pos = m.end()
    parts.append(folded[pos:])
    where.extend(range(pos, len(folded)))
    return "".join(parts), where
