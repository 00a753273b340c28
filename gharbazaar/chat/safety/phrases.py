"""Words near words: the small vocabulary-window matching that reads requests in English and Hinglish."""
import re

from .text import words

_CLAUSE = re.compile(r"[,.;!|\n]")
_SENTENCE = re.compile(r"[.!?\n]")

NEGATIONS = frozenset("""don't dont never not no mat na nahi nhi mt kabhi avoid didn't didnt won't wont can't
 cant doesn't doesnt shouldn't""".split())
HINDI_AFTER_NO = frozenset("nahi nhi mat".split())
# talk of scams: a message warning about an app or about OTP requests hands nothing over, asks for none
SCAM_TALK = frozenset("""fraud fraudster scam scams scammer beware bach bacho savdhan careful avoid fake
 dhokha cheat cheated farzi report""".split())
FIRST_PERSON = frozenset("""i i'll ill i'm im i've ive i'd we we'll we're we've main mai hum humne
 maine""".split())
# what follows a Hindi verb when the speaker, not the reader, will do it, or when it is a question of duty
NOT_ASKING = frozenset("""dunga dungi denge dege dunge dengi karunga karungi karenge karte karti diya di diye
 kiya kiye raha rahi rahe chuka chuki chuke sakta sakti sakte skta hoga hogi honge padega padegi padta padti
 gaya gayi gaye hua hui hue""".split())


def _in_number(folded, before, after):
    """Tell whether two words are the parts of one number: digits, one comma or dot, digits."""
    return before[0].isdigit() and after[0][:1].isdigit() and after[1] - before[2] == 1 and (
        folded[before[2]] in ",.")


class Words:
    """The words of folded text, with their positions, and windows over them."""

    def __init__(self, folded):
        self.items = words(folded)
        self.w = [item[0] for item in self.items]
        # clause[i]: word i starts a new clause (",", ".", "!", ";", a new line before it); a comma or
        # a dot between two numbers ("51,000", "1.5") is part of an amount
        self.clause, self.sentence, self.joined, sentence = [], [], [], 0
        for i in range(len(self.items)):
            gap = (self.items[i - 1][2], self.items[i][1]) if i else (0, 0)
            joined = bool(i and _in_number(folded, self.items[i - 1], self.items[i]))
            self.joined.append(joined)  # joined[i]: word i continues the number before it ("1,100")
            self.clause.append(i == 0 or (_CLAUSE.search(folded, *gap) is not None and not joined))
            sentence += bool(i and _SENTENCE.search(folded, *gap) is not None and not joined)
            self.sentence.append(sentence)  # sentence[i]: which sentence word i is in
        self._memo = {}

    def hide(self, spans):
        """Blank the words inside spans (an email address's "adv.meenakshi" names no advance)."""
        spans, n = sorted(spans), 0  # both in text order: one walk, however many addresses
        for k, (_, start, _) in enumerate(self.items):
            while n < len(spans) and spans[n][1] <= start:
                n += 1
            if n < len(spans) and spans[n][0] <= start:
                self.w[k] = ""

    def __len__(self):
        return len(self.w)

    def near(self, i, vocab, ahead=0, behind=0):
        """Return the index of the nearest word in vocab within behind..ahead of i, else None."""
        for d in range(1, max(ahead, behind) + 1):
            if d <= ahead and i + d < len(self.w) and self.w[i + d] in vocab:
                return i + d
            if d <= behind and i - d >= 0 and self.w[i - d] in vocab:
                return i - d
        return None

    def negated(self, i, reach=2):
        """Tell whether word i is under a negation ("don't send", "mat bhejo") of its own clause."""
        k = self.near(i, NEGATIONS, behind=reach)
        return k is not None and not any(self.clause[k + 1:i + 1])

    def negates_any(self, vocab):
        """Tell whether a word of vocab stands under a negation anywhere: before it ("don't share it",
        "mat batana") or, in Hindi, just after it ("batana nahi hai"; not "bata do nahi to": otherwise)."""
        key = ("negated", vocab)  # once per message: a rule may ask at every one of its words
        if key not in self._memo:
            self._memo[key] = any(word in vocab and (self.negated(k) or self._denied_after(k))
                                  for k, word in enumerate(self.w))
        return self._memo[key]

    def _denied_after(self, k):
        no = self.near(k, HINDI_AFTER_NO, ahead=2)
        return no is not None and not any(self.clause[k + 1:no + 1]) and (
            self.w[no + 1:no + 2] not in (["to"], ["toh"]))

    def has_any(self, vocab):
        """Tell whether any word of the text is in vocab (once per message and vocabulary)."""
        key = ("has", vocab)
        if key not in self._memo:
            self._memo[key] = not vocab.isdisjoint(self.w)
        return self._memo[key]

    def sentences_asking(self, vocab):
        """Return the sentences holding a word of vocab that no negation governs (once per message)."""
        key = ("asking", vocab)
        if key not in self._memo:
            self._memo[key] = {self.sentence[k] for k, word in enumerate(self.w)
                               if word in vocab and not self.negated(k) and not self._denied_after(k)}
        return self._memo[key]

    def by_speaker(self, i):
        """Tell whether the speaker offers to do verb i ("I'll send", "bhej dunga") rather than asks."""
        offered = self.near(i, FIRST_PERSON, behind=3) is not None or (
            i >= 2 and (self.w[i - 2], self.w[i - 1]) in (("me", "to"), ("let", "me")))
        return offered or self.near(i, NOT_ASKING, ahead=3) is not None

    def span(self, *indexes):
        """Return the (start, end) characters covering the given words."""
        return self.items[min(indexes)][1], self.items[max(indexes)][2]
