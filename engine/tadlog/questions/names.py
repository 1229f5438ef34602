"""Names first: every known term found anywhere in a question, by longest match.

A question is read the way a clinician writes it ("where would you put TADs to intrude the
upper molars of a teenager with an open bite?"), so names are looked for everywhere in the
sentence rather than in fixed slots. Terms, labels and aliases are indexed ONCE per model
(cached on the model object) under a normal form that folds case, plural and singular,
British and American spelling (-ise/-ize, -our/-or, ae/e, oe/e, centre/center), hyphens and
spaces, and drops filler words; matching is then a left-to-right scan that tries at most
``longest`` words at each position: linear in the length of the question.

Small typos are corrected only for words the exact pass left over, against the words the
names are made of (rapidfuzz, imported lazily, so a cold ``tadlog ask`` never pays for it).
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Iterable, Optional

from ..language.model import KnowledgeBaseModel
from .words import Word, norms_of, words_of

# The categories of terms that describe the patient (read into the patient context).
PATIENT_CATEGORIES = ("factor", "malocclusion", "finding")
# Terms so general that they say nothing about what is asked ("mini-implant" is in most questions).
GENERIC = frozenset({"mini_implant", "microscrew", "mini_implant_insertion", "patient_factors", "one_mini_implant"})

# Words that never make a name, on either side (the index drops them from names too).
FILLER = frozenset("""
a an the of in on at to into onto for from by with within about as and or nor but so
is are was were be been being am do does did done doing have has had having will would shall
should can could may might must i we you he she they it its it's this that these those there
here my our your his her their me us them who whom whose which what when where why how whats
what's shouldn't don't can't won't isn't please any some all each every very just really also only too more most much many
patient patients case cases someone somebody one ones person people use using used put
putting place placing placed get getting got go going want wanting need needed needs like
something thing things if then than such other another way ways best right ok okay safe
""".split())

# Two question words read as one word of the knowledge base's vocabulary ("how thick is the
# mucosa?" asks for the mucosa's thickness, not about thick mucosa).
PHRASE_SYNONYMS = {("how", "thick"): "thickness"}

# Words kept in the question (they change what a name means: "won't wear headgear" is not
# wearing it) that never make a name on their own, so they are never reported in part.
MODIFIERS = frozenset({"not", "no"})

@dataclass(frozen=True)
class Name:
    """A known term found in the question."""

    term: str
    category: str
    said: str  # the words of the question, as typed
    start: int
    end: int
    corrected: tuple[tuple[str, str], ...] = ()  # (typed word, word it was read as) for typos

    @property
    def column(self) -> int:
        return self.start + 1


@dataclass(frozen=True)
class Partial:
    """A word that belongs to known names but made none on its own: reported with them."""

    said: str
    start: int
    end: int
    nearest: tuple[str, ...]  # term names


class NameIndex:
    """Every way to name a term, in normal form, built once per model.

    Kept as flat strings, so that the cached copy (kb.QUESTION_INDEXES) decodes as plain JSON
    objects of strings, which the cyclic collector does not even track: a name key is its words
    joined by spaces (``"molar intrusion"``), a list of terms or keys one string, joined by
    spaces or by ``|``. Normal-form words never hold either (words.TOKEN)."""

    def __init__(self, model: KnowledgeBaseModel):
        # weakly: the index is kept on the model (model.memo), and a model that refers to itself
        # through it is freed only by the cyclic collector (issue 10: gen-2 passes over discarded
        # knowledge bases were most of a first answer in a process that loads many)
        self._model = weakref.ref(model)
        keys: dict[str, str] = {}
        by_word: dict[str, dict[str, None]] = {}  # ordered sets: a common word names thousands of terms
        keys_of = _keys_by_wholeness()
        # Names and labels win over other terms' aliases, and every whole name over one that only
        # matches once its small words are dropped ("one mini-implant" is not "mini-implant").
        for whole in (True, False):
            for primary in (True, False):
                for term in model.terms:
                    forms = [term.name.replace("_", " "), term.label or ""] if primary else list(term.aliases)
                    for form in forms:
                        for key in keys_of(form)[whole]:
                            keys.setdefault(" ".join(key), term.name)
                            for word in key:
                                by_word.setdefault(word, {})[term.name] = None
        self.keys = keys  # "word word" → term
        self.terms_by_word = {word: " ".join(terms) for word, terms in by_word.items()}
        self.longest = min(8, max((k.count(" ") + 1 for k in keys), default=1))
        key_words: dict[str, list[str]] = {}  # word → the 2-3 word keys holding it
        for joined in keys:
            key = joined.split(" ")
            if 2 <= len(key) <= 3 and len(set(key)) == len(key) and not MODIFIERS.intersection(key):
                # a negation binds in order: "anaesthesia ... without pain" is no "no anaesthesia"
                for word in key:
                    key_words.setdefault(word, []).append(joined)
        self.key_words = {word: "|".join(found) for word, found in key_words.items()}
        heads: dict[str, list[str]] = {}
        for term in model.terms:
            for key in keys_of(term.label or "")[True]:
                # the last word heads the label, but never of a patient factor (a factor is named,
                # not guessed: "treatment time" is no "bisphosphonate treatment") nor of a negation
                # ("no anaesthesia": anaesthesia is not its absence)
                if len(key) == 2 and key[-1] not in keys:
                    headed = key[0] not in MODIFIERS and term.category != "factor"
                    heads.setdefault(key[-1], []).append((term.name, headed))
        self.heads = {w: ts[0][0] for w, ts in heads.items() if len(ts) == 1 and ts[0][1]}
        self.shared = self._shared_heads(model)  # built here, so the cached copy has it
        self.aliases = _aliases(model)  # the fixed forms' names (query.alias_index), cached here too

    @property
    def model(self) -> KnowledgeBaseModel:
        return self._model()

    def term_for(self, words) -> Optional[str]:
        """The term a name of these words (in normal form) names, if any."""
        return self.keys.get(" ".join(words))

    def terms_with(self, word: str) -> list[str]:
        """The terms with ``word`` in one of their names, in index order."""
        found = self.terms_by_word.get(word)
        return found.split(" ") if found else []

    def knows_word(self, word: str) -> bool:
        return word in self.terms_by_word

    def _keys_with(self, word: str) -> list[tuple[str, ...]]:
        """The 2-3 word names holding ``word`` (for names said in another order)."""
        found = self.key_words.get(word)
        return [tuple(key.split(" ")) for key in found.split("|")] if found else []

    def category(self, term: str) -> str:
        decl = self.model.term_by_name.get(term)
        return (decl.category or "term") if decl else "term"

    def find(self, text: str) -> tuple[list[Name], list[Partial]]:
        """Every name in ``text`` (longest match, left to right) and the words left in part."""
        words = [w for w in _phrases(words_of(text)) if w.norm not in FILLER]
        names, left = self._scan(text, words, {})
        corrections = self._corrections([words[i] for i in left])
        if corrections:
            names, left = self._scan(text, words, corrections)
        names, left = self._elided(text, words, names, left)
        names, left = self._unordered(text, words, names, left)
        names, left = self._heads(text, words, names, left, corrections)
        partial = []
        for i in left:
            word = words[i]
            if self.knows_word(word.norm) and not word.norm.isdigit() and word.norm not in MODIFIERS:
                nearest = tuple(self.terms_with(word.norm)[:4])
                partial.append(Partial(word.text, word.start, word.end, nearest))
        return names, partial

    def shared_heads(self) -> dict[str, tuple[str, ...]]:
        """A word that ends the two-word names of exactly two terms of one kind, and names nothing
        itself: said alone, it names both ("anaesthesia": topical and local anaesthesia;
        "loading": immediate and delayed loading)."""
        return {w: tuple(pair.split(" ")) for w, pair in self.shared.items()}

    def _shared_heads(self, model: KnowledgeBaseModel) -> dict[str, str]:
        """shared_heads, each pair of terms joined by a space."""
        heads: dict[str, list[str]] = {}
        for term in model.terms:
            if term.category == "factor":
                continue  # a patient factor is named, never guessed
            key = tuple(w for w in norms_of(term.name.replace("_", " ")) if w not in FILLER)
            if len(key) == 2 and key[-1] not in self.keys and key[0] not in MODIFIERS:
                heads.setdefault(key[-1], []).append(term.name)
        ending: dict[str, set[str]] = {}  # every term with a name of two or more words ending in the word
        for joined, term in self.keys.items():
            key = joined.split(" ")
            if len(key) >= 2 and key[0] not in MODIFIERS:
                ending.setdefault(key[-1], set()).add(term)
        general = {w for t in GENERIC if t in model.term_by_name
                   for w in norms_of(model.label(t))}  # "orthodontics" is no head
        shared = {w: tuple(ts) for w, ts in heads.items() if len(ts) == 2 and w not in self.heads
                  and len({self.category(t) for t in ts}) == 1 and ending.get(w) == set(ts)
                  and w not in general}
        for w, ts in ending.items():  # the same pair's other head word ("anaesthetic")
            pair = next((p for p in shared.values() if set(p) == ts), None)
            if pair and w not in shared and w not in self.keys and w not in self.heads and w not in general:
                shared[w] = pair
        return {w: " ".join(pair) for w, pair in shared.items()}

    def _elided(self, text: str, words: list[Word], names: list[Name], left: list[int]):
        """"short or long neck", "direct or indirect anchorage": a word before 'or'/'and' shares
        the rest of the name after it."""
        if not left:
            return names, left
        starts = {n.start: n for n in names}
        out, rest = list(names), []
        for i in left:
            word, after = words[i], words[i + 1] if i + 1 < len(words) else None
            if after is not None and after.norm in ("vs", "versus") and i + 2 < len(words):
                after = words[i + 2]  # "upper vs lower jaw": the word after the "vs" starts the name
            gap = text[word.end:after.start].lower().split() if after is not None else []
            name = starts.get(after.start) if after is not None else None
            term = None
            if name is not None and gap and gap[0] in ("or", "and", "vs", "versus", "nor"):
                tail = tuple(w.norm for w in words if name.start < w.start and w.end <= name.end)
                term = self.term_for((word.norm,) + tail) if tail else None
            if term is None:
                term = self._elided_after(text, words, names, word)
            if term is None:
                rest.append(i)
                continue
            out.append(Name(term, self.category(term), word.text, word.start, word.end))
        out.sort(key=lambda n: n.start)
        return out, rest

    def _elided_after(self, text: str, words: list[Word], names: list[Name], word: Word) -> Optional[str]:
        """"cortical thickness or density": a word after 'or'/'and' that follows a name of two or
        more words shares that name's first words (cortical density)."""
        before = next((n for n in names if n.end <= word.start and
                       text[n.end:word.start].lower().split() in (["or"], ["and"], ["nor"])), None)
        if before is None:
            return None
        head = [w.norm for w in words if before.start <= w.start and w.end <= before.end]
        for size in range(len(head) - 1, 0, -1):
            term = self.term_for(head[:size] + [word.norm])
            if term is not None and term != before.term:
                return term
        return None

    def _unordered(self, text: str, words: list[Word], names: list[Name], left: list[int]):
        """Two- and three-word names said in another order, within a few words ("intrude the upper
        molars" is molar intrusion): only for names with a word the ordered scan left over; a
        one-word name inside such a match gives way to it."""
        if not left:
            return names, left
        norms = [w.norm for w in words]
        taken = {i: n for n in names if n.end - n.start for i, w in enumerate(words)
                 if n.start <= w.start and w.end <= n.end}
        single = {i for i, n in taken.items() if sum(1 for w in words if n.start <= w.start and w.end <= n.end) == 1}
        free = set(left) | single
        found: list[tuple[int, int, str]] = []
        for i in left:
            best = None
            for key in self._keys_with(norms[i]):
                span = _window(norms, free, i, key, WINDOW)
                if span is not None and (best is None or len(key) > len(best[1])):
                    best = (span, key)
            if best is not None:
                span, key = best
                free -= set(span)
                found.append((min(span), max(span), self.term_for(key)))
        if not found:
            return names, left
        used = {i for lo, hi, _ in found for i in range(lo, hi + 1) if i not in taken or i in single}
        kept = [n for n in names if not any(words[i].start >= n.start and words[i].end <= n.end for i in used
                                            if i in single)]
        for lo, hi, term in found:
            kept.append(Name(term, self.category(term), text[words[lo].start:words[hi].end],
                             words[lo].start, words[hi].end))
        kept.sort(key=lambda n: n.start)
        return kept, [i for i in left if i not in used]

    def _heads(self, text: str, words: list[Word], names: list[Name], left: list[int],
               corrections: dict[int, str]):
        """A word left over that ends the label of a two-word term names that term ("torque" for
        the insertion torque, "torqe" too once its typo is corrected), when exactly one such label
        is shortest."""
        out, rest = list(names), []
        for i in left:
            word = words[i]
            fixed = corrections.get(id(word))
            term = self.heads.get(fixed or word.norm)
            terms = (term,) if term is not None else self.shared_heads().get(fixed or word.norm, ())
            if not terms:
                rest.append(i)
                continue
            corrected = ((word.text, fixed),) if fixed else ()
            out += [Name(t, self.category(t), word.text, word.start, word.end, corrected) for t in terms]
        out.sort(key=lambda n: n.start)
        return out, rest

    def _scan(self, text: str, words: list[Word], fixed: dict[int, str]):
        norms = [fixed.get(id(w), w.norm) for w in words]
        names: list[Name] = []
        left: list[int] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                term = self.term_for(norms[i:i + size])
                if term is not None:
                    size = self._gives_way(norms, i, size, term)
                    term = self.term_for(norms[i:i + size])
                    span = words[i:i + size]
                    corrected = tuple((w.text, fixed[id(w)]) for w in span if id(w) in fixed)
                    names.append(Name(term, self.category(term), text[span[0].start:span[-1].end],
                                      span[0].start, span[-1].end, corrected))
                    i += size
                    break
            else:
                left.append(i)
                i += 1
        return names, left

    def _longest_at(self, norms: list[str], j: int) -> tuple[int, Optional[str]]:
        for size in range(min(self.longest, len(norms) - j), 0, -1):
            term = self.term_for(norms[j:j + size])
            if term is not None:
                return size, term
        return 0, None

    def _gives_way(self, norms: list[str], i: int, size: int, term: str) -> int:
        """The size of the name to take at ``i``: a name whose last words begin a longer name gives
        way to it when its first words are a name by themselves ("a maxillary buccal mini-implant
        failed" is the maxilla and a failed buccal mini-implant, not the maxillary buccal alveolus
        and a failure)."""
        for j in range(i + 1, i + size):
            reach, other = self._longest_at(norms, j)
            if other is not None and other != term and reach > size and j + reach > i + size \
                    and " ".join(norms[i:j]) in self.keys:
                return j - i
        return size

    def _corrections(self, words: list[Word]) -> dict[int, str]:
        """Typos: a left-over word of 5+ letters that is one edit (two from 8 letters) from a name's word."""
        wanted = [w for w in words if w.norm.isalpha() and len(w.norm) >= 5 and not self.knows_word(w.norm)]
        if not wanted:
            return {}
        from rapidfuzz.distance import OSA  # the distance alone: a third of the package's import time

        out = {}
        for word in wanted:
            limit = 1 if len(word.norm) < 8 else 2
            close = sorted((OSA.distance(word.norm, known, score_cutoff=limit), known)
                           for known in self.terms_by_word if abs(len(known) - len(word.norm)) <= limit)
            fits = [known for distance, known in close if distance <= limit and _typo(word.norm, known)]
            if fits:
                out[id(word)] = fits[0]
        return out

    def corrected_words(self, text: str) -> list[str]:
        """The question's words in normal form, small typos of the names' words corrected
        ("torqe for alveolar miniscrews" asks about torque, even where no name is formed)."""
        words = words_of(text)
        fixes = self._corrections(words)
        return [fixes.get(id(w), w.norm) for w in words]

    def nearest(self, text: str, n: int = 3) -> list[str]:
        """Terms whose names are closest to ``text`` (for suggestions; structured, never prose)."""
        from ..similar import close_matches

        key = " ".join(w.norm for w in words_of(text) if w.norm not in FILLER)
        close = close_matches(key, self.keys, n=n * 3, cutoff=0.75)
        return list(dict.fromkeys(self.keys[c] for c in close))[:n]


def _phrases(words: list[Word]) -> list[Word]:
    """The question's words with each PHRASE_SYNONYMS pair read as its one word (kept at the
    place of the pair's second word, so the first, a filler word, drops out as before)."""
    out = list(words)
    for i in range(1, len(out)):
        norm = PHRASE_SYNONYMS.get((out[i - 1].norm, out[i].norm))
        if norm is not None:
            w = out[i]
            out[i] = Word(w.text, w.start, w.end, norm)
    return out


WINDOW = 4  # words either side within which an unordered name's words are looked for


def _window(norms: list[str], free: set[int], at: int, key: tuple[str, ...], reach: int):
    """Positions of every word of ``key`` among the free words near ``at``, or None."""
    span = []
    for word in key:
        hits = [j for j in range(max(0, at - reach), min(len(norms), at + reach + 1))
                if j in free and norms[j] == word and j not in span]
        if not hits:
            return None
        span.append(min(hits, key=lambda j: abs(j - at)))
    return span if at in span else None


def _typo(typed: str, known: str) -> bool:
    """Whether ``typed`` is a plausible slip for ``known``: a letter left out, added or swapped
    with its neighbour; a wrong letter only in long words ("typical" is not "topical")."""
    if len(known) < 5:
        return False
    if len(typed) != len(known):
        return True
    if sorted(typed) == sorted(known):
        return True
    return len(known) >= 8


def _keys_by_wholeness():
    """``form`` → its normal-form keys, split at hyphens and with hyphens joined: {True: its
    words when it has no filler, False: its words with the filler dropped}. Each form is read
    once (an index asks for both kinds of every name and label)."""
    seen: dict[str, dict[bool, list[tuple[str, ...]]]] = {}

    def keys_of(form: str) -> dict[bool, list[tuple[str, ...]]]:
        found = seen.get(form)
        if found is None:
            found = seen[form] = _read_keys(form)
        return found
    return keys_of


def _read_keys(form: str) -> dict[bool, list[tuple[str, ...]]]:
    out: dict[bool, list[tuple[str, ...]]] = {True: [], False: []}
    if not form:
        return out
    variants = (form, re.sub(r"(?<=\w)-(?=\w)", "", form)) if "-" in form else (form,)
    for variant in variants:
        words = norms_of(variant)
        key = tuple(w for w in words if w not in FILLER)
        if len(key) == 1 and len(words) - 1 > 1:
            continue  # one word left of several ("in some patients less than"): not that word's name
        whole = len(key) == len(words)
        if key and key not in out[whole]:
            out[whole].append(key)
    return out


def _aliases(model: KnowledgeBaseModel) -> dict[str, str]:
    """Every way to name a term (lower case) → the term's name."""
    index: dict[str, str] = {}
    for term in model.terms:
        words = [term.name, term.name.replace("_", " "), *(term.aliases)]
        if term.label:
            words.append(term.label)
        for word in words:
            index.setdefault(word.lower(), term.name)
    return index


def name_index(model: KnowledgeBaseModel) -> NameIndex:
    """The model's name index, built on first use and kept on the (frozen) model."""
    return model.memo("_name_index", lambda: NameIndex(model))


def labels(model: KnowledgeBaseModel, terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(model.label(t) for t in terms))


def first_of(names: list[Name], categories: tuple[str, ...]) -> Optional[Name]:
    return next((n for n in names if n.category in categories), None)
