"""What an Indian phone number looks like once its pieces are read as digits."""


def phones_in_run(run):
    """Return spans of stretches of whole pieces with a phone's shape, longest first from the left."""
    spans, i = [], 0
    while i < len(run):
        digits, best = "", None
        for j in range(i, len(run)):
            digits += run[j][0]
            if len(digits) > 14:
                break
            if shaped(digits, run[i][3], run[i][5] and not _dated(run[i:j + 1])):
                best = j
        if best is None:
            i += 1
        else:
            spans.append((run[i][1], run[best][2]))
            i = best + 1
    return spans


def _dated(pieces):
    """Tell whether pieces read as a date (2026-12-15, 15-12-2026), which no cue makes a phone."""
    sizes = [len(p[0]) for p in pieces]
    if sizes not in ([4, 2, 2], [2, 2, 4]):
        return False
    day, month = (pieces[2][0], pieces[1][0]) if sizes[0] == 4 else (pieces[0][0], pieces[1][0])
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def shaped(d, plus=False, cue=False):
    """Tell whether a digit string is an Indian mobile or landline number (8 digits only after a cue)."""
    n = len(d)
    if plus and 10 <= n <= 14 and d[0] != "0" and d[:2] != "91":
        return True  # a number abroad, written with its "+" country code ("+971 50 123 4567")
    if d[:4] in ("1800", "1860") and n in (10, 11):
        return True  # toll-free and shared-cost numbers
    if n == 10:
        return d[0] in "6789"
    if n == 11:
        return d[0] == "0" and d[1] != "0"
    if n == 12:
        return d[:2] == "91" and (d[2] in "6789" or (plus and d[2] != "0"))
    if n == 13:
        return d[:3] in ("910", "091") and d[3] in "6789"
    if n == 14:
        return d[:4] == "0091" and d[4] != "0"
    return n == 8 and cue and d[0] in "23456"
