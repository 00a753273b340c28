"""Requests for one-time passwords and verification codes: "share the OTP", "code bata do"."""
import re

from .phrases import SCAM_TALK, Words

ASK = frozenset("""share send tell give forward read say type provide message msg text sms bata batao btao bta
 batana batado bataiye bataye bolo bol boliye bhejo bhej bhejdo de dedo dijiye dena likho aaya aya ayega
 aayega aayi aai received receive recieved got get mila mili milega check confirm what whats what's kya
 number sunao suna padh padho padhke padhkar read required needed need chahiye chaiye chahie please pls
 plz sollunga sollu solunga cheppandi cheppu bolun bolben sanga sangaa kaho kehjo""".split())
STRONG = frozenset("otp otps otp's o.t.p passcode 0tp 0tps".split())  # a zero for the O too
CODE_WORDS = frozenset("code pin".split())
QUALIFIERS = frozenset("verification verify security confirmation sms login digit digits secret".split())
# what the code came in, named by its purpose: "forward the verification SMS", "the verification number"
CARRIERS = frozenset("sms message msg number no".split())
CARRIER_PURPOSES = frozenset("verification verify confirmation security login authentication".split())
DIGIT_WORDS = frozenset("digit digits ank ankon ankh".split())  # "6 digit", "chhe ank ka number"
CAME = frozenset("aaya aya aayi aai ayi came received recieved got".split())
SECRET_PINS = frozenset("upi atm mpin debit card".split())  # "UPI PIN daal do": the payment secret
SECRETS = frozenset("mpin tpin upipin atmpin".split())  # the same written as one word
ENTER = frozenset("daal daalo dalo enter type".split())
# where a bare "PIN" is the payment app's: "collect request aayega, approve karke PIN daal do"
PAYMENT_CONTEXT = frozenset("upi collect approve gpay phonepe paytm bhim refund".split())
# "na" is not here: "share karo na" asks more softly, it does not refuse
NEGATIONS = frozenset("nahi nhi not never mat".split())
READ_OUT = frozenset("read forward sunao bata batao bhejo send tell share".split())
# verbs that hand something over: an OTP mention under a no is a request only with one of these
HAND_OVER = (READ_OUT - {"read"}) | ENTER | frozenset("""give de dedo dijiye bolo bol likho provide btao bta
 batado batana sollunga cheppandi""".split())
# "he asked for OTP, I didn't give": a request told about, not made
TOLD = frozenset("asked maanga manga mangaa mang".split())
NUMBERS = frozenset("number numbers code digits digit ank".split())
NOT_OTP = frozenset("""upi atm mpin pin pincode postal zip area std isd rera project promo coupon referral
 dress ifsc swift access intercom alarm locker lift parking sac hsn tax pan location map google gps
 sector qr bar country property source wifi door gate lock colour color building
 society""".split())
PLACES = frozenset("location loc locations drop point map maps code".split())
_SPELT = re.compile(r"(?<![a-z0-9])[o0][ .\-]t[ .\-]p(?![a-z0-9])|one[ \t]+time[ \t]+pass(?:word|code)")


def find(folded, w=None):
    """Return (start, end) spans of OTP or code requests in folded text."""
    w = Words(folded) if w is None else w
    spans = [m.span() for m in _SPELT.finditer(folded)]
    for i, word in enumerate(w.w):
        if word in STRONG and _not_refused(w, i):
            spans.append(w.span(i))
        elif _code_word(w, i) and _asked(w, i):
            spans.append(w.span(i))
        elif (word in SECRETS or (word == "pin" and _payment_pin(w, i))) and _pin_asked(w, i):
            spans.append(w.span(i - 1 if word == "pin" and w.w[i - 1] in SECRET_PINS else i, i))
        elif word in ("sms", "message", "msg") and _read_out(w, i):
            spans.append(w.span(i))  # "read out the numbers in the SMS from VM-GHRBZR"
    return spans


def _not_refused(w, i):
    """An OTP or PIN mention asks for it unless a no governs it ("never ask for your OTP", "OTP nahi
    deta", a warning such as "don't share it") and nothing is handed over un-negated anyway ("Bank
    wala OTP nahi, woh doosra batao")."""
    if not (w.negated(i, reach=4) or _refused(w, i) or _warning(w) or w.near(i, TOLD, behind=3) is not None):
        return True
    return w.sentence[i] in w.sentences_asking(HAND_OVER)  # asked for in its own sentence anyway


def _warning(w):
    """"Don't share it with anyone", "kabhi mat batana": a verb of handing over, negated."""
    return w.negates_any(HAND_OVER) or w.has_any(SCAM_TALK)


def _payment_pin(w, i):
    """A bare PIN is the payment app's after "UPI"/"ATM", or in a message about paying or refunds."""
    return (i and w.w[i - 1] in SECRET_PINS) or w.has_any(PAYMENT_CONTEXT)


def _read_out(w, i):
    """A message's numbers asked to be read out or forwarded."""
    return (w.near(i, READ_OUT, ahead=6, behind=6) is not None
            and w.near(i, NUMBERS, ahead=4, behind=4) is not None)


def _pin_asked(w, i):
    """"UPI PIN daal do", "your ATM PIN is required": the payment secret asked for, not warned about."""
    if not _not_refused(w, i):
        return False
    return w.near(i, ASK | ENTER, ahead=4) is not None


def _refused(w, i):
    """"Main OTP kisi ko nahi deta", "OTP ... mujhe nahi chahiye": a no in the same clause after it."""
    for k in range(i + 1, min(i + 6, len(w))):
        if w.clause[k]:
            return False
        if w.w[k] in NEGATIONS:
            return True
    return False


def _code_word(w, i):
    """"code", "pin", "number" right after "6 digit", a message or number named for verification."""
    before = w.w[i - 1] if i else ""
    if w.w[i] in CARRIERS and _purpose(before):
        return i < 2 or w.w[i - 2] not in ("police", "rera", "tenant", "kyc")  # "police verification no."
    if w.w[i] in ("number", "sms", "message", "msg") and w.near(i, CAME, ahead=2) is not None:
        return w.near(i, DIGIT_WORDS, ahead=5, behind=3) is not None or w.w[i] != "number"  # "jo SMS aaya"
    return w.w[i] in CODE_WORDS or (w.w[i] == "number" and w.near(i, DIGIT_WORDS, behind=3) is not None)


def _purpose(word):
    """"verification", and how people type it ("verfication", "varification")."""
    return word in CARRIER_PURPOSES or word.startswith(("verif", "varif", "verf"))


def _asked(w, i):
    """A code or PIN is asked for: a verification word before it, or an asking verb near it."""
    before = w.w[i - 1] if i else ""
    after = w.w[i + 1] if i + 1 < len(w) else ""
    if after in PLACES:
        return False  # "pin location", "pin drop": a map pin
    if before in NOT_OTP or (w.w[i] == "pin" and i + 1 < len(w) and w.w[i + 1] == "code"):
        return False
    if i >= 2 and w.w[i - 2] in NOT_OTP and before in ("pe", "par", "ka", "ki", "ke", "wala", "on", "at"):
        return False  # "gate pe code dikhana padta hai"
    if w.negated(i, reach=3):
        return False
    if before in QUALIFIERS or _purpose(before) or w.near(i, QUALIFIERS, behind=2) is not None:
        return True
    handed = w.near(i, HAND_OVER, ahead=10)  # "'Your code is...' wala, bas woh number bata do"
    if handed is not None and w.sentence[handed] == w.sentence[i] and not w.negated(handed):
        return True
    return w.near(i, ASK, ahead=4, behind=3) is not None
