"""Requests for one-time passwords and verification codes: "share the OTP", "code bata do"."""
import re

from .phrases import Words

ASK = frozenset("""share send tell give forward read say type provide message msg text sms bata batao btao bta
 batana batado bataiye bataye bolo bol boliye bhejo bhej bhejdo de dedo dijiye dena likho aaya aya ayega
 aayega aayi aai received receive recieved got get mila mili milega check confirm what whats what's kya
 number""".split())
STRONG = frozenset("otp otps otp's o.t.p passcode".split())
CODE_WORDS = frozenset("code pin".split())
QUALIFIERS = frozenset("verification verify security confirmation sms login digit digits secret".split())
NOT_OTP = frozenset("""upi atm mpin pin pincode postal zip area std isd rera project promo coupon referral
 dress ifsc swift access intercom alarm locker lift parking sac hsn tax pan location map google gps
 sector qr bar country property source wifi door gate lock colour color building
 society""".split())
PLACES = frozenset("location loc locations drop point map maps code".split())
_SPELT = re.compile(r"(?<![a-z0-9])o[ .\-]t[ .\-]p(?![a-z0-9])|one[ \t]+time[ \t]+pass(?:word|code)")


def find(folded, w=None):
    """Return (start, end) spans of OTP or code requests in folded text."""
    w = Words(folded) if w is None else w
    spans = [m.span() for m in _SPELT.finditer(folded)]
    for i, word in enumerate(w.w):
        if word in STRONG and not w.negated(i, reach=3):
            spans.append(w.span(i))
        elif _code_word(w, i) and _asked(w, i):
            spans.append(w.span(i))
    return spans


def _code_word(w, i):
    """"code", "pin", or "number" right after "6 digit"."""
    return w.w[i] in CODE_WORDS or (w.w[i] == "number" and i > 0 and w.w[i - 1] in ("digit", "digits"))


def _asked(w, i):
    """A code or PIN is asked for: a verification word before it, or an asking verb near it."""
    before = w.w[i - 1] if i else ""
    after = w.w[i + 1] if i + 1 < len(w) else ""
    if after in PLACES:
        return False  # "pin location", "pin drop": a map pin
    if before in NOT_OTP or (w.w[i] == "pin" and i + 1 < len(w) and w.w[i + 1] == "code"):
        return False
    if w.negated(i, reach=3):
        return False
    if before in QUALIFIERS or w.near(i, QUALIFIERS, behind=2) is not None:
        return True
    return w.near(i, ASK, ahead=4, behind=3) is not None
