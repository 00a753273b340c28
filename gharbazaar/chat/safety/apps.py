"""Handing the chat over to another messaging app: "WhatsApp me", "telegram pe aao", "ping me on wa"."""
import re

from .phrases import SCAM_TALK, Words

ALWAYS = frozenset("""whatsapp whatsaap whatsap watsapp watsap whtsapp whtsap wtsapp wtsap wtsp whatspp
 whatssapp wattsapp watsaap whatapp whtspp whatsappp whatsapps telegram telegrm telegarm tellegram
 viber wechat snapchat skype arattai botim""".split())
# WhatsApp as it is heard: w or v, an optional h and vowel, t, s, a vowel, p ("vatsap", "vhatsapp")
_WHATSAPP_SOUND = re.compile(r"[wv]h?[aeo]?t{1,2}s{1,2}[ae]{1,2}p{1,3}s?")
# "whatsup" is also a greeting: it counts only next to words of getting in touch, as ambiguous names do
NEEDS_CONTEXT = frozenset("""wa wp whats wats signal insta instagram ig imo tg fb facebook snap
 messenger whatsup watsup whatsupp watsupp wassup""".split())
SPLIT_NAME = frozenset("whats what's wats watts whts vats vhats".split())  # "whats app", "watts app"
BEFORE = frozenset("on via over through ping msg message text add dm inbox call connect".split())
AFTER = frozenset("""pe par pr me mein karo kardo kar karna no number num nmbr msg message call chat id dm
 inbox handle app pe""".split())
SIGNAL_AFTER = frozenset("app id pe par pr karo kardo kar".split())
SIGNAL_NOT = frozenset("""strength issue issues problem problems weak good bad nahi nhi kam achha acha accha
 theek thik zero low full aata aati aate range tower network jammer""".split())
# the traffic signal: "signal pe ruk ke", "signal se left lo"
ROADS = frozenset("""ruk ruko rukna rukiye red green traffic left right turn flyover chowk cross crossing
 light lights u-turn mudna mudo""".split())
REFUSALS = frozenset("nahi nhi not nai".split())
SEEN = frozenset("saw seen found ad advertisement listing listed post posted".split())
GROUP = frozenset("group grp groups".split())
COMMUNITY = frozenset("society residents resident rwa building apartment owners tenants colony".split())
_APP_LINK = re.compile(r"(?<![a-z0-9])(?:wa\.me|t\.me|telegram\.me|chat\.whatsapp\.com)(?![a-z0-9])")
_HANDLE = re.compile(r"@[a-z0-9_.]{2,32}+")
_HANDLE_GIVEN = re.compile(r"[ \t:=\-]*+(?:(?:is|hai|id|handle)[ \t:=\-]++)?+@[a-z0-9_.]{2,32}+")


def find(folded, w=None):
    """Return (start, end) spans of messaging-app handoffs in folded text, with any @handle given."""
    w = Words(folded) if w is None else w
    spans = [m.span() for m in _APP_LINK.finditer(folded)]
    for i, word in enumerate(w.w):
        nxt = w.w[i + 1] if i + 1 < len(w) else ""
        if word in SPLIT_NAME and nxt in ("app", "aap", "ap"):
            spans.append(_with_handle(folded, w, i, i + 1))
        elif word == "tele" and nxt == "gram":
            spans.append(_with_handle(folded, w, i, i + 1))
        elif (word in ALWAYS or _WHATSAPP_SOUND.fullmatch(word.replace("'", "")) or (
                word in NEEDS_CONTEXT and _in_context(folded, w, i, word))) and not _refused(w, i):
            spans.append(_with_handle(folded, w, i, i))
    return spans


def _refused(w, i):
    """"WhatsApp nahi hai", "I don't use telegram", the society's own group, where an ad was seen."""
    if w.near(i, SEEN, behind=5, ahead=8) is not None or w.near(i, SCAM_TALK, ahead=14, behind=6) is not None:
        return True
    if w.near(i, GROUP, ahead=2) is not None and any(word.removesuffix("'s") in COMMUNITY for word in w.w):
        return True
    no = w.near(i, REFUSALS, ahead=3)  # "WhatsApp pe baat nahi karunga"; not "msg on WA, I'm not here"
    return (no is not None and not any(w.clause[i + 1:no + 1])) or w.negated(i, reach=3)


def _in_context(folded, w, i, word):
    """An ambiguous name ("wa", "signal", "insta") counts only next to words of getting in touch."""
    nxt = w.w[i + 1] if i + 1 < len(w) else ""
    before = w.near(i, BEFORE, behind=3) is not None
    if _HANDLE_GIVEN.match(folded, w.items[i][2]):
        return True  # "Insta: @noida.homes", "my insta is @flats_by_ritu"
    if word == "signal":
        return nxt not in SIGNAL_NOT and w.near(i, ROADS, ahead=4, behind=3) is None and (
            before or nxt in SIGNAL_AFTER)
    if word in ("insta", "instagram", "ig", "fb", "facebook", "snap", "messenger"):
        return nxt in ("dm", "id", "handle", "pe", "par", "pr", "inbox", "msg", "message", "chat") or (
            w.near(i, frozenset(("dm", "ping", "msg", "message", "text", "inbox", "chat")), behind=3, ahead=3)
            is not None)
    return before or nxt in AFTER or nxt.isdigit()  # "WA: 98765 43210"


def _with_handle(folded, w, i, j):
    """Extend a mention to an @handle that follows it closely ("telegram @ravi_homes")."""
    start, end = w.span(i, j)
    m = _HANDLE.search(folded, end, min(len(folded), end + 24))
    return (start, m.end()) if m else (start, end)
