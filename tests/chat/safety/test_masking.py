"""Masking replaces only the spans of masked categories and keeps everything around them."""
from gharbazaar.chat.safety import inspect, make_policy


def test_masks_keep_the_surrounding_text(policy):
    verdict = inspect("Hi! call me on +91 98765 43210 or mail ravi.k@gmail.com, thanks 🙏", policy)
    assert verdict.masked == "Hi! call me on [phone hidden] or mail [email hidden], thanks 🙏"


def test_only_masked_categories_are_replaced(policy):
    text = "send token advance to ravi@okaxis, details on bit.ly/x"
    verdict = inspect(text, policy)
    assert set(verdict.categories) == {"payment", "upi", "link"}
    assert verdict.masked == "send token advance to [UPI id hidden], details on bit.ly/x"


def test_masking_follows_the_policy():
    policy = make_policy({"link": "mask", "phone": "warn"})
    verdict = inspect("call 9876543210, see bit.ly/x", policy)
    assert verdict.masked == "call 9876543210, see [link hidden]"


def test_overlapping_spans_become_one_placeholder(policy):
    verdict = inspect("pay to 9876543210@ybl now", policy)
    assert verdict.masked == "pay to [UPI id hidden] now"


def test_spoken_numbers_and_disguised_addresses_are_masked_whole(policy):
    text = "number nau aath saat chhe paanch chaar teen do ek shunya, mail ravi at gmail dot com ok"
    verdict = inspect(text, policy)
    assert verdict.masked == "number [phone hidden], mail [email hidden] ok"


def test_case_and_scripts_keep_their_positions(policy):
    text = "İstanbul ẞ ﬁne: CALL ９８７６５４３２１０ now"
    assert inspect(text, policy).masked == "İstanbul ẞ ﬁne: CALL [phone hidden] now"


def test_app_handles_are_masked_with_the_app(policy):
    assert inspect("telegram @ravi_homes pe aao", policy).masked == "[app hidden] pe aao"
