"""Chat safety guard: finds contact details, payment and OTP requests, links and app handoffs in a message.

Pure code (no Flask, no database, no network); see docs/safety.md.
"""
from .guard import inspect
from .policy import ACTIONS, CATEGORIES, DEFAULT_LINK_ALLOWLIST, DEFAULT_POLICY, Policy, make_policy
from .verdict import Verdict

__all__ = ["ACTIONS", "CATEGORIES", "DEFAULT_LINK_ALLOWLIST", "DEFAULT_POLICY", "Policy", "Verdict",
           "inspect", "make_policy"]
