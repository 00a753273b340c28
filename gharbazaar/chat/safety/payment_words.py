"""The words payment requests are read from: verbs that pay, money, purposes, stages of the deal."""

SEND = frozenset("""send snd transfer transfr trnsfr tranfer wire remit neft imps rtgs bhej bhejo bhejiye
 bhejdo bhejde bhejna bhejen bhejein bhijwa bhijwao mokli moklo mokalo mokal pathiye pathao pathan pathva
 pathava anuppunga anuppu anupunga pampandi pampu""".split())
PAY = frozenset("pay payy pey give giv paying".split())
APPS = frozenset("gpay googlepay phonepe phonpe paytm bhim upi".split())
WIRES = frozenset("neft imps rtgs".split())
HINDI_ASK = SEND | PAY | APPS | frozenset("""de dedo dede dijiye dijie dena karo kardo karde kar kijiye kijie
 karna karein karen jama dalo daalo daal dal chahiye chaiye chahie chaahiye""".split())
HOLD = frozenset("block hold reserve lock blocking holding".split())
STRONG = frozenset("token advance advanse adv deposit bayana bayaana blocking holding".split())
GENERIC = frozenset("""paise paisa paisay paison pese money amount amt payment rupee rupees rupaye rupaya
 rupiya rs inr fee fees charges charge brokerage commission rent""".split())
FEES = frozenset("fee fees charge charges".split())
# "payment plan", "amount details": the money word names something else
COMPOUNDS = frozenset("""plan plans schedule terms details detail receipt receipts slip mode modes structure
 proof breakup history options option link photo photos pic pics copy scan screenshot ss letter""".split())
# fees named by what they pretend to buy: "verification charge", "listing fee", "gate pass fee"
BOOKING = frozenset("""booking visit visiting registration processing entry form gate key verification
 documentation document legal listing viewing inspection application reservation holding token site pass
 agent broker""".split())
MONEY_UNITS = frozenset("k hazar hazaar hajar thousand rs rupees rupaye lakh lac l %".split())
CURRENCY = frozenset("rs inr \u20b9 rupees".split())
URGENT = frozenset("""before first pehle pahle phle abhi now today immediately urgently urgent jaldi turant
 asap block book confirm reserve hold lock visit keys key chabi tonight quickly fast upfront aaj""".split())
STAGES = frozenset("""agreement registry registration possession signing handover loan sanction allotment
 closing deed""".split())
AT_STAGE = frozenset("at on after during time par pe baad waqt while upon".split())
QR_CONTEXT = frozenset("""scan scanner scanning pay payment send bhej bheja bhejta bhejti bhejunga share paise
 amount money""".split())
APPROVE = frozenset("accept approve approved accepted allow confirm".split())
PAY_CONTEXT = APPS | frozenset("payment money paise amount collect rupees rs".split())
IMPERATIVE = frozenset("karo kardo kar kr krdo kro kijiye kijie karein me it now".split())
FIRST_PERSON_OFFERS = frozenset("i i'll ill we we'll main hum".split())
REFUND = frozenset("refund refunded back wapas vapas return returned".split())
# "send my deposit back": money owed to the speaker
POSSESSIVE = frozenset("my mera meri mere hamara hamare our".split())
MODALS = frozenset("have has need needs will would should can could must may required".split())
TO = frozenset("on to pe par via through in into at".split())
INSTRUMENTS = APPS | frozenset("qr link account a/c acc google".split())  # "via google pay"
# "kar do" after a plain amount names a price ("98 lakh kar do": make it 98 lakh), not a payment
PRICE_VERBS = frozenset("kar karo kardo karde karna kijiye kijie karein karen".split())
DUTIES = frozenset("hoga hogi honge padega padegi padta padti".split())
# "pay karo", "pay kar do": the English verb asked for in Hindi
HINDI_IMPERATIVES = frozenset("karo kardo krdo kro kijiye kijie karein karen".split())
# how money leaves: "via Western Union", "through bank transfer", "by NEFT"
CHANNELS = APPS | WIRES | frozenset("western union moneygram bank transfer wire account hawala".split())
POLITE_YOU = frozenset("aap ap app tum tu".split())
ABLE = frozenset("sakte sakti skte sakoge sakogi".split())
LEADS = frozenset("please pls plz kindly just and then bas aur".split())
# a PIN named in a warning is not asked for: "never share your UPI PIN", "PIN kabhi mat batana"
WARNED_VERBS = frozenset("share tell give ask batana batao bata enter daalo dalo send bhejo".split())
# words between a sending verb and its amount that change nothing: "bhej do na 3000", "2500 abhi online bhejo"
PARTICLES = frozenset("do de na bas please pls ji jaldi abhi online turant aaj mujhe me humein".split())
CONDITIONS = frozenset("agar agr if".split())
# "a fake owner who asked for token on UPI": a request told about, not made
TOLD = frozenset("asked maanga manga mangaa demanded".split())
CHANNEL_PREPOSITIONS = frozenset("by via through thru in".split())  # "rent by NEFT": NEFT is no verb
CONSEQUENCES = frozenset("to toh tab then".split())
