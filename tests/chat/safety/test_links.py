"""Links: shorteners always, other domains unless allow-listed; dotted abbreviations are no links."""
import pytest

from gharbazaar.chat.safety import inspect, make_policy


@pytest.mark.parametrize("text", [
    "photos at bit.ly/3xFlat",
    "https://tinyurl.com/abc",
    "www.cheaphomes.com",
    "http://192.168.1.20/login",
    "visit nobroker.in",
    "HTTPS://WWW.DREAMHOMES.IN/2BHK",
    "bit dot ly slash flat99",
    "example[.]com/brochure",
    "join t.me/punehomes",
    "propertyking.online",
    "Visit Google.Com/maps for directions",
    # more top-level domains; a pointing word or a hyphen before a word-like one; spaced dots after www
    'fill forms.gle/xYz12 for the visit',
    'linktr.ee/rkproperties',
    'surl.li/qwer',
    'visit greenhomes.live for photos',
    'go to flatsdeal.co',
    'claim at kyc-update.top',
    'www . cheapflats . in',
    'hxxps://kyc-check[.]site/verify',
    'photos at homes4u dot co',
    'bit . ly / abc12',
    'pay here upi://pay?pa=flat@okaxis&am=500',
    'telegram dot me / nriflats',
    'go to www[.]cheaprent[.]in',
    'download the app: gharbazaar-app.apk.download/latest',
])
def test_links_are_found(found, text):
    assert "link" in found(text)


@pytest.mark.parametrize("text", [
    "see https://gharbazaar.in/p/12",
    "app.gharbazaar.in/listing/4",
    "1.2 cr for 4.5 sqft? no, 1450 sq.ft",
    "e.g. i.e. a.m. p.m. Dr.Sharma M.G.Road",
    "B.Tech grad, approx.2 km",
    "Ready.In december we can shift",
    "ok.so fine",
    "Rs.15,000 rent",
    'call.me later',
    'ok.so we meet tomorrow',
    'flat is ready.today we can see',
    'ok . so we meet at 5',
    'meet at 5 dot thirty',
])
def test_allowed_and_dotted_words_are_not_links(found, text):
    assert "link" not in found(text)


def test_allow_list_covers_subdomains_but_never_shorteners():
    policy = make_policy(link_allowlist=["housing.com"])
    assert inspect("https://www.housing.com/x and m.housing.com", policy).categories == ()
    assert inspect("bit.ly/x", make_policy(link_allowlist=["bit.ly"])).categories == ("link",)
    assert inspect("gharbazaar.in/x", policy).categories == ("link",)  # the list replaces the default
