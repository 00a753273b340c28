"""Fold text for matching without moving any character: one output character per input character."""
import re
import unicodedata

_CACHE_LIMIT = 8192


class _FoldTable(dict):
    """str.translate table computed lazily: lower case, digits of any script as ASCII, look-alikes."""

    def __missing__(self, code):
        ch = chr(code)
        if ch.isdecimal():
            out = str(unicodedata.decimal(ch, 0))
        else:
            out = unicodedata.normalize("NFKC", ch).lower()
            if len(out) != 1:
                low = ch.lower()
                out = low if len(low) == 1 else ch
        if len(self) < _CACHE_LIMIT:  # bounded: hostile text may use every code point
            self[code] = out
        return out


# Marks that draw nothing read as a space: keycap digits ("9\ufe0f\u20e3") and zero-width joiners would
# otherwise cut a number or a word into pieces no rule reads.
_INVISIBLE = "\ufe0e\ufe0f\u20e3\u200b\u200c\u200d\u2060\ufeff"
_TABLE = _FoldTable({ord("\u2019"): "'", ord("\u2018"): "'", ord("\u2013"): "-", ord("\u2014"): "-",
                     **{ord(ch): " " for ch in _INVISIBLE}})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u20b9@?$%]")


def fold(text):
    """Return text lower-cased with the same length, so spans found in it mark the original."""
    if text.isascii():
        return text.lower()
    return text.translate(_TABLE)


def words(folded):
    """Return the words (and the signs that matter: rupee, @, ?, $, %) of folded text as (word, start, end)"""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
