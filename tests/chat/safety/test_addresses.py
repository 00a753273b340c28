"""Email addresses and UPI ids, plain and disguised."""
import pytest


@pytest.mark.parametrize("text", [
    "mail ravi.k@gmail.com",
    "priya_k92@yahoo.co.in",
    "ravi at gmail dot com",
    "ravi[at]gmail[dot]com",
    "ravi (at) gmail (dot) com",
    "ravi @ gmail . com",
    "ravi at the rate gmail dot com",
    "deepak DOT mehra AT gmail DOT com",
    "my id harish123 at gmail",
    "Mail me the documents at ravi.sharma@gmail.com",
    "hr at company dot co dot in",
    # a provider named without its domain, a symbol standing in for @, letter-spaced, "g mail"
    'my gmail is sunil.verma77',
    'gmail id hai neha_k2001',
    'yahoo id: raj.malhotra88',
    'papers bhejo meena*gmail.com pe',
    'arun $ yahoo dot com',
    'n e h a @ g m a i l . c o m',
    'likho ramesh at g mail dot com',
    # a user name right before its provider
    'papers bhejo sunita88 gmail pe',
])
def test_emails_are_found(found, text):
    assert "email" in found(text)


@pytest.mark.parametrize("text", [
    "visit at gurgaon. in the evening",
    "meet at 5 pm at the site",
    "loan at sbi is cheaper",
    "more listings at nobroker.in",
    "flat at sector 21 dot",
    "I work at Zoho, Chennai office",
    'my gmail is not working since morning',
    'Gmail pe bhej do papers',
    'email id: not yet created',
    'instagram @green.homes.pune pe dekho',
])
def test_sentences_with_at_are_not_emails(found, text):
    assert "email" not in found(text)


@pytest.mark.parametrize("text", [
    "UPI ravi.kumar@okaxis",
    "9876543210@ybl",
    "pay on sunil@paytm",
    "my upi ravi at okaxis",
    "upi is kiran [at] ybl",
    "use this upi: homes.realty@icici",
    "sharma.property@upi",
    'paytm id: 9 8 2 0 0 1 2 3 4 5@paytm',
])
def test_upi_ids_are_found(found, text):
    assert "upi" in found(text)


@pytest.mark.parametrize("text", [
    "ravi@gmail.com", "ravi@gmail", "my telegram @ravi_homes", "inbox on insta @punerealtor",
    "loan at sbi", "meet @5pm",
])
def test_mail_and_handles_are_not_upi(found, text):
    assert "upi" not in found(text)


def test_a_phone_number_upi_id_is_both(found):
    assert found("upi: 9876543210@ybl") == {"phone", "upi"}


def test_an_email_domain_is_not_also_a_link(found):
    assert found("write to ravi at gmail.com") == {"email"}
    assert found("sales@skyhomes.in") == {"email"}
