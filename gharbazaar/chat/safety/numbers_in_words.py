"""Digits spoken as words, as people type them: English and Hindi in Latin script, and the other
languages of Indian chat as far as their words are not also common English or Hindi words
(Marathi, Bengali, Gujarati, Tamil, Telugu: Gujarati "be" for 2 is left out)."""

_UNITS = {
    "0": "zero zeero ziro jiro oh shunya shunye shoonya sunya shuny sifar sifr shunno shunyo poojyam sunna",
    "1": "one ek ekk aek yek onnu okati",
    "2": "two do doh dho doo don dui rendu",
    "3": "three thre teen tin tiin theen tran moonu moodu",
    "4": "four fore char chaar chaar chaarr naalu nalugu naalugu",
    "5": "five fiv paanch panch paach pach paanc panj paunch anju aidu",
    "6": "six sixx chhe chhah chah che chhey chey chhay chhai chheh saha chhoy chha aaru",
    "7": "seven sevan saat sat saath sath shaat ezhu elu edu",
    "8": "eight eigth aath ath aat aanth ettu enimidi",
    "9": "nine nin nau nao naw nou noy nav onbadhu ombadhu tommidi",
}
_TENS = {
    "1": "ten", "2": "twenty", "3": "thirty", "4": "forty fourty", "5": "fifty",
    "6": "sixty", "7": "seventy", "8": "eighty", "9": "ninety",
}
_TEENS = {
    "11": "eleven", "12": "twelve", "13": "thirteen", "14": "fourteen", "15": "fifteen",
    "16": "sixteen", "17": "seventeen", "18": "eighteen", "19": "nineteen",
}
REPEATS = {"double": 2, "dabal": 2, "dubble": 2, "duble": 2, "triple": 3, "tripple": 3, "tripal": 3}

UNIT_WORDS = {w: d for d, ws in _UNITS.items() for w in ws.split()}
TENS_WORDS = {w: d for d, ws in _TENS.items() for w in ws.split()}
TEEN_WORDS = {w: d for d, ws in _TEENS.items() for w in ws.split()}


def spoken(word):
    """Return ("unit"|"tens"|"teen"|"repeat", value) for a spoken-digit word, else None."""
    if word in UNIT_WORDS:
        return "unit", UNIT_WORDS[word]
    if word in TENS_WORDS:
        return "tens", TENS_WORDS[word]
    if word in TEEN_WORDS:
        return "teen", TEEN_WORDS[word]
    if word in REPEATS:
        return "repeat", REPEATS[word]
    return None
