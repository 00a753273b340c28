"""Requests to pay before or outside the deal: token/advance/booking money, QR codes, UPI collect requests.

Talk about the deal's terms ("token 1 lakh at agreement", "deposit 2 months") is not a request; a
request needs a verb asking the reader to pay, and the speaker offering to pay is not one.
"""
from .domains import PROVIDERS
from .phrases import Words

SEND = frozenset("""send snd transfer transfr trnsfr tranfer wire remit neft imps rtgs bhej bhejo bhejiye
 bhejdo bhejde bhejna bhejen bhejein bhijwa bhijwao""".split())
PAY = frozenset("pay payy pey give giv".split())
APPS = frozenset("gpay googlepay phonepe phonpe paytm bhim upi".split())
WIRES = frozenset("neft imps rtgs".split())
HINDI_ASK = SEND | PAY | APPS | frozenset("""de dedo dede dijiye dijie dena karo kardo karde kar kijiye kijie
 karna karein karen jama dalo daalo daal dal chahiye chaiye chahie chaahiye""".split())
HOLD = frozenset("block hold reserve lock blocking holding".split())
STRONG = frozenset("token advance advanse adv deposit bayana bayaana blocking holding".split())
GENERIC = frozenset("""paise paisa paisay paison pese money amount amt payment rupees rupaye rs inr fee fees
 charges charge""".split())
FEES = frozenset("fee fees charge charges".split())
# "payment plan", "amount details": the money word names something else
COMPOUNDS = frozenset("""plan plans schedule terms details detail receipt receipts slip mode modes structure
 proof breakup history options option link photo photos pic pics copy scan screenshot ss letter""".split())
BOOKING = frozenset("booking visit visiting registration processing entry form gate key".split())
MONEY_UNITS = frozenset("k hazar hazaar hajar thousand rs rupees rupaye lakh lac l".split())
CURRENCY = frozenset("rs inr \u20b9 rupees".split())
URGENT = frozenset("""before first pehle pahle phle abhi now today immediately urgently urgent jaldi turant
 asap block book confirm reserve hold lock visit keys key chabi tonight quickly fast""".split())
STAGES = frozenset("""agreement registry registration possession signing handover loan sanction allotment
 closing deed""".split())
AT_STAGE = frozenset("at on after during time par pe baad waqt while upon".split())
QR_CONTEXT = frozenset("""scan scanner scanning pay payment send bhej bheja bhejta bhejti bhejunga share paise
 amount money code""".split())
APPROVE = frozenset("accept approve approved accepted allow confirm".split())
PAY_CONTEXT = APPS | frozenset("payment money paise amount collect rupees rs".split())
IMPERATIVE = frozenset("karo kardo kar kijiye kijie karein me it now".split())
FIRST_PERSON_OFFERS = frozenset("i i'll ill we we'll main hum".split())
REFUND = frozenset("refund refunded back wapas vapas return returned".split())
# "send my deposit back": money owed to the speaker
POSSESSIVE = frozenset("my mera meri mere hamara hamare our".split())
MODALS = frozenset("have has need needs will would should can could must may required".split())
TO = frozenset("on to pe par via through in into at".split())
INSTRUMENTS = APPS | frozenset("qr link account a/c acc".split())


def find(folded, w=None):
    """Return (start, end) spans of payment requests in folded text."""
    w = Words(folded) if w is None else w
    spans = []
    for i, word in enumerate(w.w):
        hit = _at(w, folded, i, word)
        if hit:
            spans.append(w.span(*hit))
    return spans


def _at(w, folded, i, word):
    """Return the words of a request found at word i, else None."""
    nxt = w.w[i + 1] if i + 1 < len(w) else ""
    if word in ("make", "do", "complete") and "payment" in w.w[i + 1:i + 3]:
        word = "pay"
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
    if word == "pin" and w.near(i, APPS | frozenset(("enter", "daalo", "dalo", "daal")), behind=3, ahead=3):
        return (i,)
    return _hindi(w, folded, i)


def _money(w, j, generic, bare=False):
    """Tell whether word j names money (strong words always, generic ones if allowed; a bare
    number of 3 to 7 digits too when it follows the verb: "pay 5000 first")."""
    word = w.w[j]
    if any(later in COMPOUNDS for later in w.w[j + 1:j + 3]):
        return False  # "payment plan", "token amount receipt": a document, not money asked for
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


def _english(w, folded, i, verb):
    """"send the token amount", "pay 5000 first to block", "gpay kar do", "send on ravi@ybl"."""
    if w.negated(i) or w.by_speaker(i) or w.near(i, REFUND, ahead=6, behind=3) is not None:
        return None
    if w.near(i, MODALS, behind=3) is not None and not _urgent(w, i):
        return None  # "you will have to pay 2 months advance": the terms, not a request
    if (verb in APPS or verb in WIRES) and w.near(i, IMPERATIVE, ahead=2) is not None:
        return (i,)
    if _paid_into(w, folded, i):
        return (i,)
    generic_ok = verb in SEND or verb in APPS
    for j in range(i + 1, min(i + 7, len(w))):
        if _money(w, j, True, bare=j - i <= 2) and (generic_ok or _money(w, j, False) or _urgent(w, i)):
            return None if _at_stage(w, j) or w.w[j - 1] in POSSESSIVE else (i, j)
    if verb in SEND and _paid_into(w, folded, i, ahead=False):
        return (i,)
    return None


def _held(w, j):
    """"10k advance to block the flat": scam money named by its purpose, with or without a verb."""
    if not _money(w, j, False) or w.near(j, HOLD, ahead=5) is None:
        return None
    if _at_stage(w, j) or w.negated(j, reach=3) or w.near(j, FIRST_PERSON_OFFERS, behind=4) is not None:
        return None
    return (j, w.near(j, HOLD, ahead=5))


def _hindi(w, folded, j):
    """"advance bhej do", "token de do", "2000 bhejo": the money first, the verb after."""
    held = _held(w, j)
    if held:
        return held
    sent = j + 1 < len(w) and (w.w[j + 1] in SEND or w.w[j + 1] in APPS) and not w.clause[j + 1] and not (
        j > 0 and w.w[j - 1].isdigit())  # "2000 bhejo", not "...43210, send pics"
    if not _money(w, j, True, bare=sent):
        return None
    if w.near(j, frozenset(("kitna", "kitni", "kitne", "how")), behind=3) is not None:
        return None  # a question about the amount, not a request
    for k in range(j + 1, min(j + 5, len(w))):
        if w.clause[k]:
            return None
        if w.w[k] in HINDI_ASK and (k + 1 == len(w) or w.w[k + 1] not in FEES):
            if w.negated(k, reach=1) or w.by_speaker(k) or _at_stage(w, j) or (
                    w.near(j, REFUND, behind=2, ahead=4) is not None) or (j and w.w[j - 1] in POSSESSIVE):
                return None
            if _money(w, j, False) or w.w[k] in SEND or w.w[k] in APPS or _urgent(w, k) or _imperative(w, k):
                return (j, k)
            return None
    return None


def _imperative(w, k):
    """"de do", "kar do", "transfer karo": a Hindi verb phrase that asks."""
    nxt = w.w[k + 1] if k + 1 < len(w) else ""
    return w.w[k] in ("karo", "kardo", "kijiye", "dedo", "dijiye", "bhejo", "dalo", "daalo") or nxt in (
        "do", "dijiye", "dena", "dijie", "de", "karo", "kardo", "kijiye", "dedo")


def _urgent(w, i):
    return w.near(i, URGENT, ahead=8, behind=4) is not None


def _at_stage(w, j):
    """Paying at the agreement or registry is the deal itself, not a scam."""
    for k in range(j + 1, min(j + 16, len(w))):
        if w.clause[k] and k > j + 1:
            return False
        if w.w[k] in STAGES:
            return w.near(k, AT_STAGE, behind=4) is not None
    return False
