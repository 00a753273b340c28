"""UPI ids: name@okaxis, 98xxxxxxxx@ybl, name@paytm, also disguised: "name [at] ybl", "name at okhdfcbank"."""
import re

from .domains import AT_SIGN, AT_WORD, PROVIDERS

# banks' handles: a UPI id when written "name @ sbi" or "name [at] sbi" ("loan at sbi" is not one)
BANKS = frozenset("""icici sbi hdfc hdfcbank axisbank axisb axis kotak kmbl yesbank idfcbank idfc indus
 federal rbl pnb unionbank boi barodampay cnrb aubank dbs hsbc citi jupiteraxis freecharge ikwik mobikwik
 airtel jio postbank ippb fbl slice naviaxis abfspay amazonpay apay dlb kbl kvb equitas fino""".split())
# handles that are nothing but UPI: enough to read "name at ybl" as an id
UPI_ONLY = frozenset("""ybl ibl axl apl yapl upi paytm pthdfc ptaxis ptsbi ptyes waaxis wahdfcbank wasbi
 waicici""".split())
_ID = re.compile(
    rf"(?<![a-z0-9._\-])(?P<name>[a-z0-9._\-]{{2,64}}+)(?P<at>{AT_SIGN}|{AT_WORD})(?P<handle>[a-z]{{2,24}}+)"
    r"(?![a-z0-9\-_]|\.[a-z])")


def find(folded):
    """Return (start, end) spans of UPI ids in folded text."""
    found = []
    for m in _ID.finditer(folded):
        handle, at = m.group("handle"), m.group("at")
        if handle in PROVIDERS or not any(ch.isalnum() for ch in m.group("name")):
            continue
        if at == "@":
            known = True  # name@letters, no mail provider, no dot after: how UPI ids look
        elif "@" in at or "[" in at or "(" in at:
            known = handle in UPI_ONLY or handle in BANKS or handle.startswith("ok")  # not "insta @ravi"
        else:
            known = handle in UPI_ONLY or handle.startswith("ok")
        if known:
            found.append((m.start("name"), m.end("handle")))
    return found
