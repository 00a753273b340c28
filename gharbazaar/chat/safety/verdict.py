"""What the guard decided about one message: categories, action, the masked text and the reason."""
from dataclasses import dataclass

PLACEHOLDERS = {
    "phone": "[phone hidden]", "email": "[email hidden]", "upi": "[UPI id hidden]", "link": "[link hidden]",
    "messaging_app": "[app hidden]", "payment": "[payment request hidden]", "otp": "[OTP request hidden]",
}
NAMES = {
    "phone": "a phone number", "email": "an email address", "upi": "a UPI id", "link": "a link",
    "messaging_app": "a move to another messaging app", "payment": "a request for payment",
    "otp": "a request for an OTP or verification code",
}


@dataclass(frozen=True)
class Verdict:
    """The guard's answer: categories found, the strongest action, the text to show, why blocked."""
    categories: tuple
    action: str
    masked: str
    reason: str | None = None

    def record(self):
        """Return the `safety` field stored on the message document."""
        return {"categories": list(self.categories), "action": self.action}


def decide(text, found, policy):
    """Build the Verdict from found spans {category: [(start, end), ...]} under a policy."""
    categories = tuple(sorted(c for c, spans in found.items() if spans))
    action = policy.strongest(categories)
    masked_spans = [(s, e, c) for c in categories if policy.action(c) == "mask" for s, e in found[c]]
    blocked = [c for c in categories if policy.action(c) == "block"]
    reason = None
    if action == "block":
        found_names = _join([NAMES[c] for c in blocked])
        reason = f"Message not sent: it contains {found_names}, which this chat does not allow."
    return Verdict(categories, action, mask(text, masked_spans), reason)


def mask(text, spans):
    """Replace each span (merged where they overlap) by its category's placeholder; keep the rest."""
    if not spans:
        return text
    out, pos = [], 0
    for start, end, category in _merged(spans):
        out.append(text[pos:start])
        out.append(PLACEHOLDERS[category])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _merged(spans):
    """Merge overlapping spans; a merged span is named by its longest part."""
    groups = []  # [start, end, category, length of the part that names it]
    for start, end, category in sorted(spans):
        if groups and start < groups[-1][1]:
            last = groups[-1]
            if end - start > last[3]:
                last[2], last[3] = category, end - start
            last[1] = max(last[1], end)
        else:
            groups.append([start, end, category, end - start])
    return [(g[0], g[1], g[2]) for g in groups]


def _join(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
