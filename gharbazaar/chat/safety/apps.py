"""Handing the chat over to another messaging app: "WhatsApp me", "telegram pe aao", "ping me on wa"."""
import re

from .phrases import Words

ALWAYS = frozenset("""whatsapp whatsaap whatsap watsapp watsap whtsapp whtsap wtsapp wtsap wtsp whatspp
 whatssapp wattsapp watsaap whatapp whtspp whatsappp watsup whatsapps telegram telegrm telegarm tellegram
 viber wechat snapchat skype""".split())
NEEDS_CONTEXT = frozenset("""wa wp whats wats signal insta instagram ig imo tg fb facebook snap
 messenger""".split())
BEFORE = frozenset("on via over through ping msg message text add dm inbox call connect".split())
AFTER = frozenset("""pe par pr me mein karo kardo kar karna no number num nmbr msg message call chat id dm
 inbox handle app pe""".split())
SIGNAL_AFTER = frozenset("app id pe par pr karo kardo kar".split())
SIGNAL_NOT = frozenset("""strength issue issues problem problems weak good bad nahi nhi kam achha acha accha
 theek thik zero low full aata aati aate range tower network jammer""".split())
REFUSALS = frozenset("nahi nhi not nai".split())
SEEN = frozenset("saw seen found ad advertisement listing listed post posted".split())
GROUP = frozenset("group grp groups".split())
COMMUNITY = frozenset("society residents resident rwa building apartment owners tenants colony".split())
_APP_LINK = re.compile(r"(?<![a-z0-9])(?:wa\.me|t\.me|telegram\.me|chat\.whatsapp\.com)(?![a-z0-9])")
_HANDLE = re.compile(r"@[a-z0-9_.]{2,32}+")


def find(folded, w=None):
    """Return (start, end) spans of messaging-app handoffs in folded text, with any @handle given."""
    w = Words(folded) if w is None else w
    spans = [m.span() for m in _APP_LINK.finditer(folded)]
    for i, word in enumerate(w.w):
        nxt = w.w[i + 1] if i + 1 < len(w) else ""
        if word in ("whats", "what's", "wats", "whts") and nxt == "app":
            spans.append(_with_handle(folded, w, i, i + 1))
        elif word == "tele" and nxt == "gram":
            spans.append(_with_handle(folded, w, i, i + 1))
        elif (word in ALWAYS or (word in NEEDS_CONTEXT and _in_context(w, i, word))) and not _refused(w, i):
            spans.append(_with_handle(folded, w, i, i))
    return spans


def _refused(w, i):
    """"WhatsApp nahi hai", "I don't use telegram", the society's own group, where an ad was seen."""
    if w.near(i, SEEN, behind=5) is not None:
        return True
    if w.near(i, GROUP, ahead=2) is not None and any(word in COMMUNITY for word in w.w):
        return True
    return w.near(i, REFUSALS, ahead=2) is not None or w.negated(i, reach=3)


def _in_context(w, i, word):
    """An ambiguous name ("wa", "signal", "insta") counts only next to words of getting in touch."""
    nxt = w.w[i + 1] if i + 1 < len(w) else ""
    before = w.near(i, BEFORE, behind=3) is not None
    if word == "signal":
        return nxt not in SIGNAL_NOT and (before or nxt in SIGNAL_AFTER)
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
