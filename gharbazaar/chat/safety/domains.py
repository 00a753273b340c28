"""What a written address looks like: spelt-out "at" and "dot", top-level domains, mail providers."""

# "@" and "." as people disguise them: [at] (at) {at} <at>, " at ", "at the rate", [dot] (.) " dot "
AT_SIGN = r"(?:[ \t]*+@[ \t]*+|[ \t]*+[\[({<][ \t]*+(?:at|@)[ \t]*+[\])}>][ \t]*+)"
AT_WORD = r"(?:[ \t]++at(?:[ \t]++the[ \t]++rate(?:[ \t]++of)?)?[ \t]++|[ \t]*+attherate[ \t]*+)"
DOT_SIGN = r"(?:\.|[ \t]*+[\[({<][ \t]*+(?:dot|\.)[ \t]*+[\])}>][ \t]*+|[ \t]++dot[ \t]++)"
DOT_SPACED = r"(?:[ \t]++\.[ \t]*+|\.[ \t]++)"

# Top-level domains that end an address; those that are also English words count only with a
# scheme, "www." or a path ("ok.so", "call.me", "ready.today" are sentences); "in" is India's own.
TLDS = frozenset("""com net org info biz xyz io ly gl gd cc ru cn tk ml ga cf gq online site store shop icu
 vip in asia uk ca au ae pk bd lk np eu de fr ws su mobi li ee gle gg pw sg nz za ng ke tw hk jp kr vn th tr
 pl nl se ch es pt br mx cz ro gr ua kz fi dk ie il sa qa kw om eg ma cx fm cyou cfd sbs buzz bond lol ltd
 ru""".split())
WORDLIKE_TLDS = frozenset("""me co to at is it be so no do go am my us top club app live link click page
 website space work win loan money finance homes house property realty estate land pro tv ai dev tech email
 bid men name today world cloud fun life rest bar cam monster quest mom skin ink zip mov guru agency company
 center digital network solutions services systems download""".split())
PROVIDERS = frozenset("""gmail googlemail yahoo ymail hotmail outlook live msn rediffmail rediff icloud me
 protonmail proton aol zoho gmx mail yandex""".split())
SHORTENERS = frozenset("""bit.ly bitly.com tinyurl.com goo.gl t.co t.me wa.me cutt.ly rb.gy is.gd ow.ly
 tiny.cc shorturl.at rebrand.ly buff.ly s.id v.gd bl.ink lnkd.in amzn.to t.ly tiny.one shorte.st adf.ly
 qr.ae x.co y2u.be rb.gy short.io urlz.fr clck.ru u.to""".split())


def tld_ok(labels, strict=False):
    """Tell whether host labels end in a real top-level domain (strict: no word-like ones)."""
    if len(labels) < 2 or not all(labels) or not labels[-1].isalpha():
        return False
    last = labels[-1]
    return last in TLDS or (not strict and last in WORDLIKE_TLDS)
