"""Inspect one chat message: run every detector on the folded text and decide under the policy."""
from . import apps, emails, links, otp, payments, phones, upi
from .phrases import Words
from .text import fold
from .verdict import decide


def inspect(text, policy):
    """Return the Verdict for text under policy; linear in the text's length, never raises on a str."""
    if not isinstance(text, str):
        raise TypeError(f"inspect() needs a str, got {type(text).__name__}")
    folded = fold(text)
    w = Words(folded)
    mails = emails.find(folded)
    mail_spans = [(s, e) for s, e, _ in mails]
    web = [(s, e) for s, e, _ in links.find(folded, policy.allows_domain, text)
           if not any(s < me and ms < e for ms, me in mail_spans)]
    found = {
        "phone": phones.find(folded),
        "email": mail_spans,
        "upi": upi.find(folded),
        "payment": payments.find(folded, w),
        "otp": otp.find(folded, w),
        "link": web,
        "messaging_app": apps.find(folded, w),
    }
    return decide(text, found, policy)
