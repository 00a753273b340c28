"""Indian phone numbers in any spelling: grouped digits, +91/0 prefixes, digits as English or Hindi words.

Digits and spoken digits are read into runs (joined only by spaces and the separators people use
to split a number); a run holds a phone where a stretch of whole pieces has a phone's shape.
Amounts (a currency before, a unit after, Indian comma grouping) never join a run.
"""
import re

from .numbers_in_words import spoken
from .phone_shapes import phones_in_run

_PIECE = re.compile(r"[a-z0-9]+|\s+|.", re.S)
_CHUNK = re.compile(r"[0-9]+|[a-z]+")
_JOINERS = set(".-_()*~[]{}|")
_MAX_GAP = 8  # characters between two pieces of one number
CURRENCY = {"rs", "inr", "rupees", "rupee", "rupaye", "rupaiye", "rupay", "rupiya", "rupya", "usd", "dollars",
            "aed", "\u20b9", "$"}
UNITS = set("""lakh lakhs lac lacs lk lkh lakhs l cr crore crores crs k thousand hazar hazaar hajar million mn
 sqft sq sqm sqyd sqyds sqyards ft feet foot yard yards yd gaj gaz acre acres hectare bigha guntha marla kanal
 cent cents meter metre mtr meters metres m km kms bhk rk bed beds bath baths floor floors storey th st nd rd
 percent pc month months mnth pm yr yrs year years min mins minutes hr hrs hours days am onwards rupees rs
 inr per psf sft units flats towers cars carpet builtup mb gb kg kw kva x""".split()) | {"%"}
# a number after these is an identifier (ticket, order, account ...), never a phone
IDS = set("""ticket order ref reference invoice account acct policy pnr consumer khata survey receipt
 transaction txn utr application folio complaint""".split())
NUMBER_WORDS = {"no", "num", "number", "nmbr", "numbr"}  # cues too weak to undo an identifier before them
CUES = set("""call calls calling phone ph fone mobile mob mbl mobno landline tel telephone contact cell dial
 ring number num no nmbr numbr""".split())


def find(folded):
    """Return (start, end) spans of the phone numbers in folded text."""
    tokens = _tokens(folded)
    _mark_amounts(tokens)
    return _runs(tokens)


def _tokens(folded):
    """Classify every piece as [kind, value, start, end]."""
    out = []
    for m in _PIECE.finditer(folded):
        piece, start = m.group(), m.start()
        if piece[0].isspace():
            out.append(["sp", piece, start, m.end()])
        elif piece[0] in "abcdefghijklmnopqrstuvwxyz0123456789":
            out.extend(_word(piece, start))
        elif piece in _JOINERS:
            out.append(["sep", piece, start, start + 1])
        elif piece == "+":
            out.append(["plus", piece, start, start + 1])
        elif piece in CURRENCY:
            out.append(["cur", piece, start, start + 1])
        elif piece in UNITS:
            out.append(["unit", piece, start, start + 1])
        else:
            out.append(["other", piece, start, start + 1])
    return out


def _word(piece, start):
    """Classify one run of letters and digits, splitting "nine8seven" or "ph9876543210"."""
    if piece.isdigit():
        return [["num", piece, start, start + len(piece)]]
    if piece.isalpha():
        return [_letters(piece, start, start + len(piece))]
    chunks = [(c.group(), start + c.start(), start + c.end()) for c in _CHUNK.finditer(piece)]
    kinds = [_letters(c, s, e) if c.isalpha() else ["num", c, s, e] for c, s, e in chunks]
    kinds = [digit for k in kinds for digit in _look_alikes(k)]  # "98o12", "8oo9", "I5": o for 0, l, i for 1
    if all(k[0] in ("num", "spoken") for k in kinds):
        return kinds
    if len(kinds) == 2 and kinds[0][0] in ("cue", "cur") and kinds[1][0] == "num":
        return kinds
    if len(kinds) == 2 and kinds[0][0] == "num" and kinds[1][0] == "unit":
        return [["num", kinds[0][1], kinds[0][2], kinds[0][3], "amount"], kinds[1]]
    return [["word", piece, start, start + len(piece)]]  # an identifier: RERA no., flat A1203 ...


def _look_alikes(kind):
    """Read o's glued to digits as zeros and l's or i's as ones, one per letter; any other piece as it is."""
    letters = kind[1]
    if not isinstance(letters, str) or len(letters) > 3 or len(set(letters)) != 1 or letters[0] not in "oli":
        return [kind]
    digit = "0" if letters[0] == "o" else "1"
    return [["spoken", ("unit", digit), s, s + 1] for s in range(kind[2], kind[3])]


def _letters(word, start, end):
    said = spoken(word)
    if said:
        return ["spoken", said, start, end]
    if word in CURRENCY:
        return ["cur", word, start, end]
    if word in UNITS:
        return ["unit", word, start, end]
    if word in CUES:
        return ["cue", word, start, end]
    if word in IDS:
        return ["id", word, start, end]
    return ["word", word, start, end]


def _mark_amounts(tokens):
    """Mark numbers that are money or measures: after a currency, before a unit, or comma-grouped."""
    for i, tok in enumerate(tokens):
        if tok[0] != "num" or len(tok) > 4:
            continue
        before = _neighbour(tokens, i, -1)
        after = _neighbour(tokens, i, 1)
        grouped = (i + 2 < len(tokens) and tokens[i + 1][1] == "," and tokens[i + 2][0] == "num") or (
            i >= 2 and tokens[i - 1][1] == "," and tokens[i - 2][0] == "num" and len(tokens[i - 2]) > 4)
        if (before and before[0] == "cur") or (after and after[0] == "unit") or grouped:
            tok.append("amount")


def _neighbour(tokens, i, step):
    """Return the next significant token from i in one direction, looking through spaces, joiners and "/"."""
    j = i + step
    while 0 <= j < len(tokens) and abs(j - i) < 6:
        if tokens[j][0] not in ("sp", "sep") and tokens[j][1] != "/":
            return tokens[j]
        j += step
    return None


def _runs(tokens):
    """Group pieces into runs and return the phone spans found in them."""
    spans, run, seen, last_cue, last_id = [], [], 0, -99, -99  # seen: words and signs passed
    opened, plus, repeat = None, False, 1  # a "+" or "double" opens the next piece
    for tok in tokens:
        kind = tok[0]
        # a comma, typed or spoken ("seven zero four two comma double three"), joins spoken pieces
        spoken_comma = tok[1] in (",", "comma") and kind in ("other", "word") and run and run[-1][4]
        if kind in ("sp", "sep") or spoken_comma:
            continue
        if kind == "plus" or (kind == "spoken" and tok[1][0] == "repeat"):
            opened = tok[2] if opened is None else opened
            plus = plus or kind == "plus"
            repeat = 1 if kind == "plus" else tok[1][1]
            continue
        if (kind == "num" and len(tok) == 4) or kind == "spoken":
            if run and (tok[2] if opened is None else opened) - run[-1][2] > _MAX_GAP:  # from "double"
                spans += phones_in_run(run)
                run = []
            if not run and seen - last_id <= 2:
                continue  # "ticket no. 7865432109"
            _add(run, tok, opened, plus, repeat, seen - last_cue <= 4)
        else:
            spans += phones_in_run(run)
            run = []
            seen += 1
            if kind == "cue":
                last_cue = seen
                if tok[1] not in NUMBER_WORDS:
                    last_id = -99  # "ticket raised, call 98..."
            elif kind == "id":
                last_id = seen
        opened, plus, repeat = None, False, 1
    return spans + phones_in_run(run)


def _add(run, tok, opened, plus, repeat, cue):
    """Append a piece as [digits, start, end, has_plus, spoken_kind, cue]; join "ninety" + "eight"."""
    if tok[0] == "num":
        digits, said = tok[1], None
    else:
        said, digits = tok[1]
        if said == "unit" and run and run[-1][4] == "tens" and digits != "0":
            run[-1][0] = run[-1][0][0] + digits
            run[-1][2], run[-1][4] = tok[3], "unit"
            return
        if said == "tens":
            digits += "0"
    if repeat > 1:
        digits = digits[0] * repeat + digits[1:]
    run.append([digits, tok[2] if opened is None else opened, tok[3], plus, said, cue])
