"""Payment and OTP requests and app handoffs, in English and Hinglish; talk about terms is none."""
import pytest


@pytest.mark.parametrize("text", [
    "send token amount today",
    "advance to block the flat, send 10k",
    "pay booking fee before visit",
    "token de do",
    "advance bhej do",
    "paise transfer kar do",
    "pehle 2000 bhejo phir visit",
    "pay 5000 first to confirm",
    "scan this QR and pay",
    "accept the collect request on GPay",
    "enter your UPI PIN to receive the amount",
    "gpay kar do 2000",
    "send on sunil.p@paytm",
    "Pay via this link: https://paytmlink.xyz/pay/1",
    "please deposit 10000 in my account to reserve",
    "make the payment now to confirm booking",
    "Need 10k advance to block the flat for you",
    "Advance chahiye 20000, tabhi flat hold hoga",
    "NEFT kar do 25000 aaj",
    "Give 5000 token to confirm the visit",
])
def test_payment_requests_are_found(found, text):
    assert "payment" in found(text)


@pytest.mark.parametrize("text", [
    "Token amount is 1 lakh at agreement, rest at registry",
    "Security deposit 2 months, maintenance extra",
    "I will pay the token at agreement",
    "main advance bhej dunga",
    "Token kitna dena hoga?",
    "send me the details in advance, thanks in advance",
    "Kindly send the floor plan and the payment plan",
    "Legal charges 25k, society transfer fee 50k",
    "When will you send my deposit back?",
    "You will have to pay 2 months advance as deposit",
    "I can pay 42 lakh",
    "don't pay any advance before visiting",
    "Scan the QR on the ad to check RERA details",
    "Please send the token cheque photo for records",
    "Do you want me to send the advance now or at agreement?",
    "Booking amount to reserve the unit is 2 lakh at agreement",
])
def test_terms_and_offers_are_not_payment_requests(found, text):
    assert "payment" not in found(text)


@pytest.mark.parametrize("text", [
    "share the OTP", "otp bata do", "code bata do jo aaya", "O.T.P bhejo", "o t p bhejo",
    "tell me the verification code", "ek 6 digit number aaya hoga, bata do", "one time password bhejo",
])
def test_otp_requests_are_found(found, text):
    assert "otp" in found(text)


@pytest.mark.parametrize("text", [
    "pin code bata do", "pincode 400076", "never share your OTP", "RERA code bata do",
    "Pin location bhej do", "gate code 1234", "promo code mil jayega?",
    "What is the access code for the lift?",
])
def test_codes_of_places_are_not_otp(found, text):
    assert "otp" not in found(text)


@pytest.mark.parametrize("text", [
    "WhatsApp me", "whatsapp pe baat karte hain", "ping me on wa", "telegram pe aao",
    "add me on signal", "whats app karo", "insta pe dm karo", "WA: 98765 43210", "wa.me/919876543210",
])
def test_app_handoffs_are_found(found, text):
    assert "messaging_app" in found(text)


@pytest.mark.parametrize("text", [
    "mobile signal is good here", "signal strength full hai", "I saw your ad on a whatsapp group",
    "Society has a whatsapp group for residents", "WhatsApp nahi hai, call karo", "saw the ad on fb",
    "imo the price is high",
])
def test_mentions_that_hand_nothing_over_are_not_flagged(found, text):
    assert "messaging_app" not in found(text)
