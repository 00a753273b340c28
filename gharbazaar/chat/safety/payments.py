"""Requests to pay before or outside the deal: token/advance/booking money, QR codes, UPI collect requests.

Talk about the deal's terms ("token 1 lakh at agreement", "deposit 2 months") is not a request; a
request needs a verb asking the reader to pay, and the speaker offering to pay is not one.
"""
from .domains import PROVIDERS
from .payment_words import (
    ABLE, APPROVE, APPS, CHANNELS, CONDITIONS, CONSEQUENCES, DUTIES, FEES, FIRST_PERSON_OFFERS, GENERIC,
    HINDI_ASK, HINDI_IMPERATIVES, HOLD, IMPERATIVE, INSTRUMENTS, LEADS, MODALS, PARTICLES, PAY, PAY_CONTEXT,
    POLITE_YOU, POSSESSIVE, PRICE_VERBS, QR_CONTEXT, REFUND, SEND, TO, TOLD, URGENT, WARNED_VERBS, WIRES,
    CHANNEL_PREPOSITIONS)
from .phrases import Words
from .sums import MONEY_WORDS, at_stage, is_sum, names_money, past_particles, urgent


# the words a rule can start from besides money and numbers (the `_at` branches below)
TRIGGERS = SEND | PAY | APPS | frozenset("""make do complete deposit transfer trnsfr qr collect request req
 requests pin paid""".split())


def find(folded, w=None):
    """Return (start, end) spans of payment requests in folded text."""
    w = Words(folded) if w is None else w
    spans = []
    for i, word in enumerate(w.w):
        if word not in TRIGGERS and word not in MONEY_WORDS and not word[:1].isdigit():
            continue  # no rule starts at this word (most words): skipped before any is asked
        hit = _at(w, folded, i, word)
        if hit:
            spans.append(w.span(*hit))
    return spans


def _at(w, folded, i, word):
    """Return the words of a request found at word i, else None."""
    nxt = w.w[i + 1] if i + 1 < len(w) else ""
    if word in ("make", "do", "complete") and "payment" in w.w[i + 1:i + 3]:
        return _english(w, folded, i, "pay", made=True)  # "do the payment of 3500": asked outright
    if word == "deposit" and (nxt[:1].isdigit() or nxt in ("the", "rs", "\u20b9")):
        return _english(w, folded, i, "deposit")  # "deposit 2 months rent before seeing"
    if word in ("transfer", "trnsfr") and i and w.w[i - 1] in ("bank", "online", "account", "neft") and (
            nxt in HINDI_IMPERATIVES or nxt == "kar"):
        return None if w.by_speaker(i) or w.negated(i) else (i - 1, i)  # "bank transfer kar do"
    if word in WIRES and i and w.w[i - 1] in CHANNEL_PREPOSITIONS and not urgent(w, i):
        return None  # "accept rent by NEFT": the channel named, not a verb
    if word == "paid" and i and w.w[i - 1] == "be" and urgent(w, i) and any(
            names_money(w, j, False) for j in range(max(0, i - 12), min(len(w), i + 12))):
        return (i,)  # "token 21,000 ... to be paid before the site visit"
    if (word in SEND or word in PAY or word in APPS) and nxt not in FEES:  # "transfer fee" is a noun
        return _english(w, folded, i, word)
    if word == "deposit" and _paid_into(w, folded, i) and not w.by_speaker(i):
        return (i,)  # "deposit 10000 in my account"
    if word == "qr" and w.near(i, QR_CONTEXT, ahead=5, behind=5) is not None and "rera" not in w.w:
        return (i,)
    if word == "collect" and w.near(i, frozenset(("request", "req", "requests")), ahead=2) is not None:
        return (i, i + 1)
    if word in ("request", "req", "requests") and w.near(i, APPROVE, ahead=4, behind=4) is not None:
        k = w.near(i, PAY_CONTEXT, ahead=8, behind=8)
        return (i, k) if k is not None else None
    entered = w.near(i, APPS | frozenset(("enter", "daalo", "dalo", "daal")), behind=3, ahead=3)
    if word == "pin" and entered is not None and not w.negates_any(WARNED_VERBS):
        return (i,)
    return _hindi(w, folded, i)


def _paid_into(w, folded, i, ahead=True):
    """Tell whether verb i names where to pay: "on ravi@ybl", "via this link", "upi pe bhejo"."""
    window = range(i + 1, min(i + 7, len(w))) if ahead else range(max(0, i - 4), i)
    for j in window:
        if w.w[j] in INSTRUMENTS or (w.w[j] == "@" and _upi_handle(w, folded, j)):
            between = w.w[i + 1:j] if ahead else w.w[j + 1:i]
            return any(t in TO for t in between)
    return False


def _upi_handle(w, folded, j):
    """Tell whether the "@" at word j starts a UPI handle rather than a mail domain."""
    if j + 1 >= len(w) or w.w[j + 1] in PROVIDERS:
        return False
    end = w.items[j + 1][2]
    return not folded.startswith(".", end)


def _english(w, folded, i, verb, made=False):
    """"send the token amount", "pay 5000 first to block", "gpay kar do", "send on ravi@ybl"."""
    if w.negated(i) or w.by_speaker(i) or w.near(i, REFUND, ahead=6, behind=3) is not None:
        return None
    if w.near(i, MODALS, behind=3) is not None and not urgent(w, i):
        return None  # "you will have to pay 2 months advance": the terms, not a request
    if (verb in APPS or verb in WIRES) and w.near(i, IMPERATIVE, ahead=2) is not None:
        return (i,)
    if verb in APPS and w.w[i + 1:i + 2] in (["to"], ["on"], ["pe"]) and i + 2 < len(w) and (
            len(w.w[i + 2]) >= 10 and w.w[i + 2].isdigit()):
        return (i, i + 2)  # "GPay to 9876012345"
    asked = _asked_outright(w, i, verb)
    if asked:
        return asked
    if _paid_into(w, folded, i):
        return (i,)
    generic_ok = verb in SEND or verb in APPS or made
    for j in range(i + 1, min(i + 7, len(w))):
        bare = j - i <= 2 or past_particles(w, i + 1) >= j  # "bhej do na 3000"
        if names_money(w, j, True, bare=bare) and (generic_ok or names_money(w, j, False) or urgent(w, i)):
            return None if at_stage(w, j) or w.w[j - 1] in POSSESSIVE else (i, j)
    if verb in SEND and _paid_into(w, folded, i, ahead=False):
        return (i,)
    if verb in SEND and _sent_what_was_named(w, i):
        return (i,)
    return None


def _sent_what_was_named(w, i):
    """"brokerage 50% lagega ... pehle bhejo, tab chabi milegi": a bare "send it first" after money."""
    nxt = w.w[i + 1] if i + 1 < len(w) and not w.clause[i + 1] else ""
    if nxt and not (nxt in PARTICLES or nxt in CONSEQUENCES or nxt in ("it", "first", "pehle", "now")):
        return False  # "send photos first": something else is sent
    if w.near(i, URGENT, behind=2, ahead=2) is None:
        return False
    return any(names_money(w, j, False) or w.w[j] in GENERIC for j in range(max(0, i - 15), i))


def _asked_outright(w, i, verb):
    """"pay karo 999", "Pay 10% now", "pay to hold the flat", "...charges 999, pay kar do": the verb is
    an imperative (first in its clause, after "please"/"and", or followed by a Hindi imperative) and
    money or a purpose is named on either side."""
    if verb not in PAY:
        return None
    nxt = w.w[i + 1] if i + 1 < len(w) else ""
    hindi = nxt in HINDI_IMPERATIVES or (nxt == "kar" and w.w[i + 2:i + 3] in (["do"], ["dijiye"], ["dena"]))
    if not (hindi or w.clause[i] or (i and w.w[i - 1] in LEADS)):
        return None
    if w.near(i, HOLD, ahead=3) is not None and "to" in w.w[i + 1:i + 3]:
        return (i, i + 2)  # "pay to hold the flat"
    for j in range(i + 1, min(i + 5, len(w))):
        if is_sum(w, j) and not at_stage(w, j):
            return (i, j)
    if hindi:
        for j in range(max(0, i - 6), i):
            if is_sum(w, j) and not at_stage(w, j):
                return (j, i)
    return None


def _channelled(w, j):
    """"2 months deposit via Western Union before keys": scam money sent down a named channel."""
    if not names_money(w, j, False) or at_stage(w, j) or w.negated(j, reach=3):
        return None
    for k in range(j + 1, min(j + 5, len(w))):
        if w.w[k] in ("via", "through", "by", "thru") and k + 1 < len(w) and w.w[k + 1] in CHANNELS:
            return None if w.near(j, FIRST_PERSON_OFFERS, behind=4) is not None else (j, k + 1)
    return None


def _held(w, j):
    """"10k advance to block the flat": scam money named by its purpose, with or without a verb."""
    if not names_money(w, j, False) or w.near(j, HOLD, ahead=5) is None:
        return None
    if at_stage(w, j) or w.negated(j, reach=3) or w.near(j, FIRST_PERSON_OFFERS, behind=4) is not None:
        return None
    return (j, w.near(j, HOLD, ahead=5))


def _hindi(w, folded, j):
    """"advance bhej do", "token de do", "2000 bhejo": the money first, the verb after."""
    held = _held(w, j) or _channelled(w, j)
    if held:
        return held
    verb = past_particles(w, j + 1)
    sent = verb < len(w) and (w.w[verb] in SEND or w.w[verb] in APPS) and not any(w.clause[j + 1:verb + 1])
    # "1,100 bhejo" is a sum; "...98765 43210 bhejo" ends a phone number
    sent = sent and not (j > 0 and w.w[j - 1].isdigit() and not w.joined[j])
    if not names_money(w, j, True, bare=sent):
        return None
    if w.near(j, frozenset(("kitna", "kitni", "kitne", "how")), behind=3) is not None:
        return None  # a question about the amount, not a request
    if w.near(j, TOLD, behind=4) is not None:
        return None  # "who asked for token on UPI": told about
    for k in range(j + 1, min(j + 5, len(w))):
        if w.clause[k]:
            return None
        if w.w[k] in WIRES and w.w[k - 1] in CHANNEL_PREPOSITIONS and not urgent(w, k):
            return None  # "rent by NEFT every month"
        if w.w[k] in HINDI_ASK and (k + 1 == len(w) or w.w[k + 1] not in FEES):
            if w.w[k] in PRICE_VERBS and not names_money(w, j, False) and not _paid_word(w, j, k):
                return None
            if w.negated(k, reach=1) or (w.by_speaker(k) and not _demanded(w, k)) or at_stage(w, j) or (
                    _conditional(w, j)) or (
                    w.near(j, REFUND, behind=2, ahead=4) is not None) or (j and w.w[j - 1] in POSSESSIVE):
                return None
            if names_money(w, j, False) or w.w[k] in SEND or w.w[k] in APPS or urgent(w, k) or (
                    _imperative(w, k)):
                return (j, k)
            return None
    return None


def _conditional(w, j):
    """"agar full payment 30 din mein karo (to 2% kam)": paying is the condition of an offer, not asked;
    "agar visit chahiye to 300 bhejo" asks (the payment is the consequence)."""
    k = w.near(j, CONDITIONS, behind=8)
    return k is not None and not any(word in CONSEQUENCES for word in w.w[k + 1:j])


def _paid_word(w, j, k):
    """Tell whether a word between the money and the verb says it is paid ("5000 transfer kar do")."""
    return any(t in SEND or t in APPS or t in ("jama", "payment", "pay") for t in w.w[j:k + 1])


def _demanded(w, k):
    """"visit se pehle fee bhejna padega": a duty with a deadline is a demand, not the deal's terms."""
    if w.near(k, FIRST_PERSON_OFFERS, behind=3) is not None:
        return False
    if w.near(k, ABLE, ahead=2) is not None and w.near(k, POLITE_YOU, behind=6) is not None:
        return True  # "kya aap token bhej sakte ho?": a polite request
    return w.near(k, DUTIES, ahead=3) is not None and w.near(k, URGENT, ahead=8, behind=12) is not None


def _imperative(w, k):
    """"de do", "kar do", "transfer karo": a Hindi verb phrase that asks."""
    nxt = w.w[k + 1] if k + 1 < len(w) else ""
    return w.w[k] in ("karo", "kardo", "kijiye", "dedo", "dijiye", "bhejo", "dalo", "daalo") or nxt in (
        "do", "dijiye", "dena", "dijie", "de", "karo", "kardo", "kijiye", "dedo")
