"""Policies: defaults, merging, validation; the verdict's action, masked text, reason and record."""
import pytest

from gharbazaar.chat.safety import (ACTIONS, CATEGORIES, DEFAULT_LINK_ALLOWLIST, DEFAULT_POLICY, Verdict,
                                    inspect, make_policy)


def test_defaults_are_the_agreed_ones():
    policy = make_policy()
    assert dict(policy.actions) == dict(DEFAULT_POLICY)
    assert policy.link_allowlist == DEFAULT_LINK_ALLOWLIST
    assert set(DEFAULT_POLICY) == set(CATEGORIES)
    assert ACTIONS == ("allow", "warn", "mask", "block")


def test_policies_compare_and_hash_by_value():
    assert make_policy({"otp": "block"}) == make_policy({"otp": "block"})
    assert len({make_policy(), make_policy(), make_policy({"otp": "block"})}) == 2


def test_actions_merge_over_the_defaults():
    policy = make_policy({"payment": "block", "phone": "allow"})
    assert policy.action("payment") == "block"
    assert policy.action("phone") == "allow"
    assert policy.action("email") == "mask"


@pytest.mark.parametrize("actions,message", [
    ({"fax": "mask"}, "unknown safety category 'fax'"),
    ({"phone": "hide"}, "unknown safety action 'hide'"),
    (["phone"], "must map categories"),
])
def test_bad_policies_are_refused(actions, message):
    with pytest.raises(ValueError, match=message):
        make_policy(actions)


@pytest.mark.parametrize("allowlist,expected", [
    (["Housing.com", "*.nobroker.in", "https://x.in/path"], ("housing.com", "nobroker.in", "x.in")),
    ("a.in, b.com", ("a.in", "b.com")),
    ([], ()),
])
def test_allow_lists_are_normalised(allowlist, expected):
    assert make_policy(link_allowlist=allowlist).link_allowlist == expected


@pytest.mark.parametrize("allowlist", [["not a domain"], [42], ["localhost"]])
def test_bad_allow_lists_are_refused(allowlist):
    with pytest.raises(ValueError):
        make_policy(link_allowlist=allowlist)


def test_the_strongest_action_wins_and_block_says_why():
    policy = make_policy({"payment": "block", "phone": "warn"})
    verdict = inspect("send advance now, call 9876543210", policy)
    assert verdict.categories == ("payment", "phone")
    assert verdict.action == "block"
    assert "request for payment" in verdict.reason and "phone" not in verdict.reason
    assert verdict.masked == "send advance now, call 9876543210"


def test_clean_message_is_allowed_as_is(policy):
    verdict = inspect("2BHK on 4th floor, 45 lakh, 1200 sqft", policy)
    assert verdict == Verdict((), "allow", "2BHK on 4th floor, 45 lakh, 1200 sqft", None)
    assert verdict.record() == {"categories": [], "action": "allow"}


def test_record_is_the_stored_safety_field(policy):
    record = inspect("WhatsApp me on 9876543210 or pay token today", policy).record()
    assert record == {"categories": ["messaging_app", "payment", "phone"], "action": "mask"}
    assert isinstance(record["categories"], list)


def test_warn_only_categories_warn_and_mask_nothing(policy):
    verdict = inspect("share the OTP please", policy)
    assert (verdict.categories, verdict.action, verdict.reason) == (("otp",), "warn", None)
    assert verdict.masked == "share the OTP please"


def test_verdict_is_frozen(policy):
    verdict = inspect("hello", policy)
    with pytest.raises(AttributeError):
        verdict.action = "block"
