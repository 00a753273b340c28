"""What names money in a message, and when paying it is the deal itself: shared by the payment rules."""
from .payment_words import (AT_STAGE, BOOKING, COMPOUNDS, CURRENCY, FEES, GENERIC, MONEY_UNITS, PARTICLES,
                            PAY, SEND, STAGES, STRONG, URGENT)

MONEY_WORDS = STRONG | FEES | GENERIC | {"booking", "\u20b9"}


def names_money(w, j, generic, bare=False):
    """Tell whether word j names money (strong words always, generic ones if allowed; a bare
    number of 3 to 7 digits too when it follows the verb: "pay 5000 first")."""
    word = w.w[j]
    if not (word in MONEY_WORDS or word[:1].isdigit()):
        return False  # most words: asked of every word by several rules, so answered first
    if any(later in COMPOUNDS for later in w.w[j + 1:j + 3]):
        return False  # "payment plan", "token amount receipt": a document, not money asked for
    if word == "rent" and j + 1 < len(w) and w.w[j + 1] in ("agreement", "agreements", "deed", "control"):
        return False  # "send the rent agreement"
    if word in STRONG:
        return not (word.startswith("adv") and j > 0 and w.w[j - 1] in ("in", "thanks"))
    if word in FEES and j > 0 and w.w[j - 1] in BOOKING:
        return True
    if word == "booking" and j + 1 < len(w) and w.w[j + 1] in GENERIC:
        return True
    if not generic:
        return False
    if word in GENERIC or word == "\u20b9":
        return True
    if word[:1].isdigit():
        unit = word.lstrip("0123456789")
        before = w.w[j - 1] if j else ""
        after = w.w[j + 1] if j + 1 < len(w) else ""
        if unit:
            return unit in MONEY_UNITS
        return before in CURRENCY or after in MONEY_UNITS or (bare and 3 <= len(word) <= 7 and after != "@")
    return False


def is_sum(w, j):
    """Word j is a sum of money ("999", "Rs 500", "10%") or scam money ("token"), not a word like "rent"."""
    amount = w.w[j][:1].isdigit() or w.w[j] == "\u20b9"
    return names_money(w, j, False) or (amount and names_money(w, j, True, bare=True))


def mentions_money(w):
    """Tell whether any word names money or paying (a UPI id given beside it is where to pay); the
    name of a payment app alone does not ("my GPay: ravi@okaxis" only says who is who)."""
    return any(word in GENERIC or word in STRONG or word in SEND or word in PAY or word == "\u20b9"
               or names_money(w, j, True, bare=True) for j, word in enumerate(w.w))


def past_particles(w, k):
    """Return the index of the first word from k that is not a particle ("do na", "abhi online")."""
    while k < len(w) and w.w[k] in PARTICLES and k - 1 < len(w):
        k += 1
    return k


def urgent(w, i):
    return w.near(i, URGENT, ahead=8, behind=4) is not None


def at_stage(w, j):
    """Paying at the agreement or registry is the deal itself, not a scam."""
    for k in range(j + 1, min(j + 16, len(w))):
        if w.clause[k] and k > j + 1:
            return False
        if w.w[k] in STAGES:
            return w.near(k, AT_STAGE, behind=4) is not None
    return False
