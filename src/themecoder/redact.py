"""Remove personal details from answers before they are quoted.

Replaced, each by a bracketed tag so the reader sees that something was there:

* e-mail addresses → ``[email]``; phone numbers (UK landline/mobile, +44) → ``[phone]``;
* UK postcodes → ``[postcode]``; street addresses ("14 Acacia Avenue", "Flat 2") →
  ``[address]``;
* dates of birth ("born 3 March 1950", "DOB 03/03/1950") → ``[date of birth]``, and any
  other full date (day, month and year) → ``[date]``;
* personal names → ``[name]``: a title ("Mrs Patel"), a word that introduces a person ("my
  son Tom", "called Aisha", "social worker Jo") followed by a capitalised word, or a
  capitalised word in a list of first names (the English-language name lists that Faker ships:
  British, Irish, American, Indian, Pakistani, Nigerian, Kenyan, New Zealand), with the
  capitalised word after it when that looks like a surname. First names that are also common
  words ("Will", "May", "Hope") count only after a title or such an introducing word, or
  before a known surname.

No model is used: spaCy's English NER models are not published on PyPI by their makers, and
nothing may be downloaded at run time. The recall of these rules on a test set written for
them is measured by ``benchmarks/redaction.py`` (see BENCHMARKS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NAME_LOCALES = ("en_GB", "en_IE", "en_US", "en_IN", "en_PK", "en_NG", "en_KE", "en_NZ")
"""Faker locales whose first and last names make the name list."""

AMBIGUOUS_NAMES = frozenset("""
will may june april august grace hope joy faith bill mark rose frank sue pat dawn eve rich
sky summer chase guy art ray don rob jean carol holly ivy ruby amber crystal penny robin
victoria florence georgia jordan chelsea paris sydney lincoln austin dale glen glenn
heather hazel iris jasmine lily daisy poppy rosemary violet sunny misty precious patience
constance charity honor honour mercy prudence pearl opal jade storm river brook brooke
rocky buddy king prince duke earl baron major page young long short white black brown
green gray grey bell hall wood ford lane hill marsh moss stone sterling bishop parsons
cook baker taylor carter mason hunter fisher fletcher turner walker porter price rice
bean field fields banks best fox hart hope little love may moon power rich savage
sharp small snow sweet wells west north south winter day gay noble pope read reed
dean drew gene ken kay kim lee len les lynn max mo nick norman pam roy sam ted tim toby
val wes carer nurse doctor will""".split())
"""First names that are also ordinary English words or common surnames-as-words."""

NOT_NAMES = frozenset("""
i i'm i've i'd i'll the a an and but or if so my our we they he she it this that these those
there here what when where why how who which monday tuesday wednesday thursday friday
saturday sunday january february march april may june july august september october
november december christmas easter council councils nhs gp social services care carer
carers direct payment payments personal budget budgets support mum mom dad mother father
son daughter husband wife partner brother sister nan gran grandad grandma grandpa aunt
uncle team manager worker workers pa pas england scotland wales britain london
""".split())
"""Capitalised words never taken for names on their own."""

TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Nurse|Sister|Sr|Prof|Professor|Rev)"
INTRODUCERS = (r"(?:called|named|name is|name's|my (?:son|daughter|husband|wife|partner|mum|"
               r"mom|mother|dad|father|brother|sister|grandson|granddaughter|nan|gran|friend|"
               r"carer|pa|support worker|key worker|social worker|care manager|neighbour)|"
               r"(?:our|his|her|the) (?:social worker|support worker|key worker|care manager|"
               r"carer|pa)|social worker|support worker|key worker|care manager|"
               r"aunty|auntie|aunt|uncle|nan|nanna|nanny|grandma|grandad|cousin|"
               r"(?:son|daughter|husband|wife|carer|PA|worker|manager|assessor|officer),)")
MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}|"
        rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+(?:19|20)\d{{2}}|"
        rf"{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})")
STREET_TYPES = (r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|"
                r"Cres|Court|Ct|Place|Pl|Gardens|Gdns|Grove|Gr|Terrace|Tce|Hill|Park|Square|"
                r"Sq|Walk|Mews|Row|View|Rise|Parade|Green|Vale|Wharf|Croft|Meadow|Meadows)")
CAP = r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)?"

PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("email", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    ("date of birth", re.compile(
        rf"(?i:\b(?:born(?:\s+on)?|d\.?o\.?b\.?|date\s+of\s+birth|birthday)"
        rf"(?:\s+(?:is|was))?:?\s*)({DATE})"),
     "[date of birth]"),
    ("date of birth", re.compile(r"(?i:\bborn\s+in\s+)((?:19|20)\d{2})\b"),
     "[year of birth]"),
    ("date", re.compile(rf"\b{DATE}\b"), "[date]"),
    ("phone", re.compile(
        r"(?<![\w+])(?:(?:\+|00)\s?44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?"
        r"\d{3,4}(?!\d)"), "[phone]"),
    ("postcode", re.compile(
        r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b",
        re.IGNORECASE), "[postcode]"),
    ("address", re.compile(
        rf"\b(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{{1,4}}[A-Za-z]?,?\s+"
        rf"(?:{CAP}\s+){{1,3}}{STREET_TYPES}\b"), "[address]"),
    ("address", re.compile(r"\b(?:Flat|Apartment|Apt)\s+\d+[A-Za-z]?\b"), "[address]"),
    ("address", re.compile(rf"\b(?:{CAP}\s+){{1,2}}(?:Road|Street|Avenue|Lane|Close|Drive|"
                           rf"Crescent|Gardens|Terrace|Mews)\b"), "[address]"),
)
"""Structured details, in the order they are replaced (e-mail before phone, dates first)."""

TITLE_NAME = re.compile(rf"\b{TITLES}\.?\s+(?:{CAP}|[A-Z]\.?)(?:\s+{CAP})?")
INTRODUCED_NAME = re.compile(rf"(?i:\b{INTRODUCERS})\s+({CAP}(?:\s+{CAP})?)")
CAPITALISED = re.compile(rf"\b{CAP}\b")


@dataclass(frozen=True)
class Redaction:
    """One replaced span of the original text."""

    kind: str
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), lower-cased, from Faker's English-language locales."""
    import importlib

    first: set[str] = set()
    last: set[str] = set()
    for locale in NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            first.update(n.casefold() for n in getattr(provider, attr, ()) if n.isalpha())
        last.update(n.casefold() for n in getattr(provider, "last_names", ())
                    if n.replace("'", "").replace("-", "").isalpha())
    first -= NOT_NAMES
    last -= NOT_NAMES
    return frozenset(first), frozenset(last)


def find_names(text: str) -> list[tuple[int, int]]:
    """Spans of personal names in ``text`` (see the module docstring for the rules)."""
    first, last = name_lists()
    spans: list[tuple[int, int]] = []
    for match in TITLE_NAME.finditer(text):
        spans.append(match.span())
    for match in INTRODUCED_NAME.finditer(text):
        word = match.group(1).split()[0].casefold()
        if word not in NOT_NAMES:
            spans.append(match.span(1))
    words = list(CAPITALISED.finditer(text))
    for i, match in enumerate(words):
        word = match.group(0).casefold()
        if word not in first or word in NOT_NAMES:
            continue
        nxt = words[i + 1] if i + 1 < len(words) else None
        joined = nxt is not None and text[match.end():nxt.start()] == " "
        surname = joined and (nxt.group(0).casefold() in last
                              or nxt.group(0).casefold() not in NOT_NAMES
                              and nxt.group(0).casefold() not in first | AMBIGUOUS_NAMES)
        if word in AMBIGUOUS_NAMES and not (joined and nxt.group(0).casefold() in last):
            continue
        spans.append((match.start(), nxt.end() if surname else match.end()))
    return _joined_names(text, spans)


JOINED = re.compile(rf"\b({CAP})\s+(?:and|&)\s+({CAP})\b")


def _joined_names(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"Grace and Ravi": a capitalised word joined by "and" to a name is a name too."""
    starts = {start for start, _end in spans}
    ends = {end for _start, end in spans}
    out = list(spans)
    for match in JOINED.finditer(text):
        (a_start, a_end), (b_start, b_end) = match.span(1), match.span(2)
        if a_end in ends and b_start not in starts \
                and match.group(2).casefold() not in NOT_NAMES:
            out.append((b_start, b_end))
        elif b_start in starts and a_end not in ends \
                and match.group(1).casefold() not in NOT_NAMES:
            out.append((a_start, a_end))
    return out


def redact(text: str) -> tuple[str, list[Redaction]]:
    """``text`` with personal details replaced by tags, and what was replaced.

    Args:
        text: an answer as the respondent wrote it.

    Returns:
        The redacted text and the list of redactions (kinds and original spans).
    """
    found: list[tuple[int, int, str, str]] = []
    for kind, pattern, tag in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span(1) if pattern.groups else match.span()
            found.append((start, end, kind, tag))
    for start, end in find_names(text):
        found.append((start, end, "name", "[name]"))
    # keep the earliest, longest span where spans overlap
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    chosen: list[tuple[int, int, str, str]] = []
    for item in found:
        if chosen and item[0] < chosen[-1][1]:
            continue
        chosen.append(item)
    out, pos, done = [], 0, []
    for start, end, kind, tag in chosen:
        out.append(text[pos:start])
        out.append(tag)
        done.append(Redaction(kind, start, end, text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out), done


def redact_text(text: str) -> str:
    """``text`` with personal details replaced (see :func:`redact`)."""
    return redact(text)[0]


def score_redaction(cases: list[dict]) -> dict[str, dict[str, int]]:
    """Recall per kind of detail on a test set, and changes made to clean texts.

    Args:
        cases: ``{"text": ..., "pii": {kind: [detail, ...]}}`` or ``{"text": ...,
            "clean": true}`` items (the format of ``tests/data/redaction_*.yaml``).

    Returns:
        ``{kind: {"found": n, "total": n}}`` plus ``"clean": {"unchanged": n, "total": n}``;
        a detail counts as found when none of its words is left in the redacted text.
    """
    scores: dict[str, dict[str, int]] = {"clean": {"unchanged": 0, "total": 0}}
    for case in cases:
        redacted = redact_text(case["text"])
        if case.get("clean"):
            scores["clean"]["total"] += 1
            scores["clean"]["unchanged"] += int(redacted == case["text"])
            continue
        for kind, details in case.get("pii", {}).items():
            entry = scores.setdefault(kind, {"found": 0, "total": 0})
            for detail in details:
                entry["total"] += 1
                words = [w for w in re.split(r"[\s,]+", str(detail)) if w]
                entry["found"] += int(not any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)",
                                                        redacted) for w in words))
    return scores
