"""Phone numbers in every spelling are found; the numbers of property talk are not."""
import pytest

from gharbazaar.chat.safety.phone_shapes import shaped


@pytest.mark.parametrize("text", [
    "call me on 9876543210",
    "+91 98765 43210",
    "+91-98765-43210",
    "0091 98765 43210",
    "919876543210 pe call karo",
    "0 98765 43210",
    "my number 98.76.54.32.10",
    "9-8-7-6-5-4-3-2-1-0",
    "landline 011-2345-6789",
    "office 080 2345 6789",
    "+91 (80) 2345 6789",
    "call on 2345 6789",
    "1800 123 4567 toll free",
    "nine eight seven six five four three two one zero",
    "nau aath saat chhe paanch chaar teen do ek shunya",
    "98 seven 6 five 4 three 2 one 0",
    "double nine eight seven six five four three two one",
    "ninety eight seventy six fifty four thirty two ten",
    "nine8seven6five4three2one0",
    "ph9876543210",
    "Call karna 7O42189635 pe",
    "९८७६५४३२१० पर कॉल करें",
    # o's for zeros, keycap digits, zero-width joiners (2026-12-07, blind corpus)
    'whatsapp nahi, call karo 9oo12 34567',
    'number 7oo 123 4567',
    'mob 8OOO 12 3456',
    '9️⃣8️⃣7️⃣6️⃣5️⃣4️⃣3️⃣2️⃣1️⃣0️⃣',
    'call 98765\u200b43210',
    # l or i glued to digits for one; a number abroad with its + code; spoken groups split by commas
    'call 98l0O 23456',
    'Dial 9I 88 77 66 55',
    'owner abroad, call +44 7911 123456',
    'number hai double eight, triple seven, six five, four three, two',
    # other Indian languages' digit words; a comma spoken by voice typing
    'en number onbadhu ettu naalu moonu, rendu onnu aaru ezhu ettu zero',
    'naa number tommidi enimidi edu aaru aidu nalugu moodu rendu okati sunna',
    'amar number noy aat shaat chhoy panch char tin dui ek shunno',
    'number seven zero four two comma double three comma eight one nine five',
])
def test_phone_numbers_are_found(found, text):
    assert "phone" in found(text)


@pytest.mark.parametrize("text", [
    "2BHK on 4th floor, 45 lakh, 1200 sqft",
    "Price 45,00,000 final",
    "₹1.2 Cr negotiable",
    "Rs. 32000/month, maintenance 3500",
    "Rs 9876543210",
    "1,25,00,000 all inclusive",
    "Flat 1203, Tower B, 12th floor",
    "Plot no 45, sector 21, Gurgaon 122001",
    "RERA no. P51800012345",
    "RERA PRM/KA/RERA/1251/446/PR/171014/000287",
    "visit on 12-12-2026 at 10:30",
    "built in 2015, OC in 2016",
    "floors 6, 7, 8, 9, 10, 11, 12 available",
    "units 901, 902, 903 and 904",
    "rent 9000, 9500 and 12000",
    "Ticket no. 7865432109 raised with builder",
    "consumer no 9123456789 for electricity",
    "plot 2345 6789",
    "ek do teen char",
    "Can we meet on 2026-12-15? call me then",
    "Main do din mein aath baje aaunga",
])
def test_property_numbers_are_not_phones(found, text):
    assert "phone" not in found(text)


@pytest.mark.parametrize("digits,plus,cue,expected", [
    ("9876543210", False, False, True),
    ("5876543210", False, False, False),
    ("09876543210", False, False, True),
    ("01123456789", False, False, True),
    ("919876543210", False, False, True),
    ("912223456789", False, False, False),   # 91 + landline needs the "+"
    ("912223456789", True, False, True),
    ("23456789", False, False, False),       # eight digits need a cue ("call", "landline")
    ("23456789", False, True, True),
    ("12345678", False, True, False),
    ("98765432101", False, False, False),
])
def test_phone_shapes(digits, plus, cue, expected):
    assert shaped(digits, plus, cue) is expected
