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
    # fees named for what they pretend to buy; a duty with a deadline; "make the payment" with an amount
    'send the listing fee 999 and I will show the flat',
    'pay inspection charge 300 first',
    'Pay the commission upfront on PhonePe',
    'chabi lene se pehle 5000 deposit dena padega',
    'You have to deposit 15000 before the visit',
    'do the payment of 2500 for the gate pass',
    'ek rupee bhejo verification ke liye',
    # imperatives and demands in every order; money down a named channel; a UPI id given for money
    'Pay to reserve the unit: 25,000 today',
    'Brokerage ka 50% abhi bhejo',
    'pay karo 1999 aur number lo',
    'Legal charges ₹2,500, pay kar do aaj',
    'Security deposit via Western Union before I courier the keys',
    'bank transfer kar do, owner is in Canada',
    'kya aap 2000 token abhi bhej sakte ho?',
    'GPay to 9123456780 and share screenshot',
    'Token amount is fine, send it here: homes.raj@okaxis',
    'agar visit confirm karni hai to 300 entry fee bhejna padega',
    # particles between the verb and the sum; a bare "send it first" after money; "paying"; upi:// links
    'bhej do na 2500 bas, booking ho jayegi',
    'Token 10k lagega, pehle bhejo tab visit',
    'book now by paying ₹299',
    'kal tak 4000 abhi online bhej do',
    'paytm kr do 9876501234 pe 1200',
    # other languages' verbs of sending; a passive with a deadline; sums written with commas
    'advance 20,000 anuppunga, appo dhaan flat hold',
    'token 5,000 mokli do aaje',
    'to be paid before the site visit: token 21,000',
    'Shagun ke 1,100 abhi bhej dijiye',
    'EOI amount of 2 lakh by RTGS today for allotment',
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
    # haggling: "kar do" after a plain amount names a price
    'Bhai 82 lakh kar do, deal pakki',
    'rent 18k kar do please',
    'thoda kam karo, 1.05 cr kar do',
    'Please send the rent agreement draft',
    'Advance 2 mahine ka dena padega',
    'pay rent online every month',
    'When do I make the payment?',
    'Deposit 50000 refundable hai, 11 month agreement',
    'Rent 22,000; deposit ₹ 66,000 (3 months)',
    'my upi is ravi@okaxis',
    'agar full payment 30 din mein karo to 2% kam ho jayega',
    'Advance is 2 lakh. Please send photos first',
    "GharBazaar will never ask for your UPI PIN, don't share it",
    'Will the owner accept rent by NEFT every month or only cheque?',
    'My uncle lost 40k to a fake owner who asked for token on UPI, so I pay only at agreement',
    'The QR code on the notice board is for maintenance payments only',
    'Send a blank mail first to adv.meena.law@outlook.com so I have your id',
])
def test_terms_and_offers_are_not_payment_requests(found, text):
    assert "payment" not in found(text)


@pytest.mark.parametrize("text", [
    "share the OTP", "otp bata do", "code bata do jo aaya", "O.T.P bhejo", "o t p bhejo",
    "tell me the verification code", "ek 6 digit number aaya hoga, bata do", "one time password bhejo",
    'share the 0TP',
    'forward the verification sms you got',
    'confirmation message me jo number aaya, bhejo',
    # typed as heard; a code named by its digits or by the message it came in; a payment PIN
    'verfication code plz',
    'jo message aaya usme 6 ank ka number hai, wo batao',
    'sms aaya kya? forward karo',
    'UPI PIN daal do refund ke liye',
    'your ATM PIN is required to release the deposit',
    # asked for despite a no elsewhere; named by the message it came in; a bare PIN where money is asked
    'OTP share karo na, slot book karna hai',
    'bank wala OTP nahi, doosra wala batao',
    'Code please, the one from VK-GBAZAR',
    'just read out the numbers in the SMS',
    'mPIN bata do, refund bhejta hu',
    'collect request approve karke PIN daal do',
    'oru code vandhurukkum, adha sollunga',
])
def test_otp_requests_are_found(found, text):
    assert "otp" in found(text)


@pytest.mark.parametrize("text", [
    "pin code bata do", "pincode 400076", "never share your OTP", "RERA code bata do",
    "Pin location bhej do", "gate code 1234", "promo code mil jayega?",
    "What is the access code for the lift?",
    'police verification number abhi pending hai',
    'Main OTP kisi ko nahi deta',
    'ATM PIN kabhi mat batana',
    "GharBazaar staff will never ask for your OTP. Don't share it.",
    'OTP nahi aa raha mujhe, network issue hai',
    'gate pe code dikhana padta hai kya?',
    'Never share your OTP. Send me the flat photos',
    "A man called saying he is from GharBazaar and asked for OTP, I didn't give",
    "Any OTP or PIN request in GharBazaar's name is fake, I read it in the app banner",
    'OTP app pe login karte waqt aata hai, kisi ko batana nahi hai',
])
def test_codes_of_places_are_not_otp(found, text):
    assert "otp" not in found(text)


@pytest.mark.parametrize("text", [
    "WhatsApp me", "whatsapp pe baat karte hain", "ping me on wa", "telegram pe aao",
    "add me on signal", "whats app karo", "insta pe dm karo", "WA: 98765 43210", "wa.me/919876543210",
    'vatsap pe photos bhejo',
    'vhatsapp karo',
    'watts app me bhejo',
    'whatsup pe baat karo',
    'w h a t s a p p me',
    'W.h.a.t.s.a.p.p pe aao',
    "What'sApp kar do",
    'Insta: @noida_flats_direct',
    'my ig is @sharma.realty',
    "Pls msg on WA, I'm not active here",
    'Arattai pe aa jao',
    "Botim pe call karo, I'm in Dubai",
])
def test_app_handoffs_are_found(found, text):
    assert "messaging_app" in found(text)


@pytest.mark.parametrize("text", [
    "mobile signal is good here", "signal strength full hai", "I saw your ad on a whatsapp group",
    "Society has a whatsapp group for residents", "WhatsApp nahi hai, call karo", "saw the ad on fb",
    "imo the price is high",
    'Whatsup bro, flat available hai?',
    'whats up with the lift repair?',
    'Telegram groups wale investment scam se bacho',
    'Signal pe ruk ke left lena',
    "Society's WhatsApp group is active",
    'WhatsApp pe baat nahi karunga, yahin theek hai',
    "The WhatsApp forward about flats at 50% off is fake, don't believe it",
    'The builder has an official WhatsApp channel, I saw it on their hoarding',
])
def test_mentions_that_hand_nothing_over_are_not_flagged(found, text):
    assert "messaging_app" not in found(text)
