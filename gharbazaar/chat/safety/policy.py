"""What the guard does with each category: the policy, its defaults and its validation."""
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

CATEGORIES = ("phone", "email", "upi", "payment", "otp", "link", "messaging_app")
ACTIONS = ("allow", "warn", "mask", "block")  # weakest -> strongest
DEFAULT_POLICY = MappingProxyType({
    "phone": "mask", "email": "mask", "upi": "mask", "messaging_app": "mask",
    "payment": "warn", "otp": "warn", "link": "warn",
})
DEFAULT_LINK_ALLOWLIST = ("gharbazaar.in",)


@dataclass(frozen=True)
class Policy:
    """An action per category and the domains whose links are not flagged."""
    actions: Mapping[str, str]
    link_allowlist: tuple

    def __hash__(self):  # a mapping proxy is unhashable; a policy can still key a cache
        return hash((tuple(sorted(self.actions.items())), self.link_allowlist))

    def action(self, category):
        """Return the action for one category."""
        return self.actions[category]

    def strongest(self, categories):
        """Return the strongest action over categories ("allow" for none)."""
        return max((self.actions[c] for c in categories), key=ACTIONS.index, default="allow")

    def allows_domain(self, host):
        """Tell whether host is an allow-listed domain or one of its subdomains."""
        return any(host == d or host.endswith("." + d) for d in self.link_allowlist)


def make_policy(actions=None, link_allowlist=None):
    """Merge actions over DEFAULT_POLICY; raise ValueError on an unknown category or action."""
    merged = dict(DEFAULT_POLICY)
    if actions is not None:
        if not isinstance(actions, Mapping):
            raise ValueError("safety policy must map categories to actions")
        for category, action in actions.items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown safety category {category!r}; "
                                 f"expected one of {', '.join(CATEGORIES)}")
            if action not in ACTIONS:
                raise ValueError(f"unknown safety action {action!r} for {category}; "
                                 f"expected one of {', '.join(ACTIONS)}")
            merged[category] = action
    domains = DEFAULT_LINK_ALLOWLIST if link_allowlist is None else _domains(link_allowlist)
    return Policy(MappingProxyType(merged), domains)


def _domains(items):
    """Normalise an allow-list: lower case, no scheme, no leading dots or wildcards."""
    if isinstance(items, str):  # a config string "a.in, b.com"
        items = items.split(",")
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"link allow-list entries must be domains, got {item!r}")
        domain = item.strip().lower()
        domain = domain.split("://", 1)[-1].split("/", 1)[0].lstrip("*.").rstrip(".")
        if domain:
            if "." not in domain or any(ch.isspace() for ch in domain):
                raise ValueError(f"link allow-list entry {item!r} is not a domain")
            out.append(domain)
    return tuple(dict.fromkeys(out))
