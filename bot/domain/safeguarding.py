"""Does a text carry a safeguarding signal? The vocabulary behind a confidential entry.

Fail closed: a message is restricted when it carries any signal. A strong signal (`carer was
abusing Mr Jones`, `money missing … financial harm`, `slapped a resident`) files the entry as
safeguarding; a weak one (`shouted at`, `police attended`, a strong word after `no` or `not`)
makes it "restricted pending review": confidential until a person with the safeguarding role
has looked at it.

Where the words come from (see docs/data-protection.md): the types of abuse and neglect in the
Care Act 2014 statutory guidance, chapter 14 (physical, domestic, sexual, psychological,
financial or material, modern slavery, discriminatory, organisational, neglect and acts of
omission, self-neglect) and section 42 enquiries; the Adult Support and Protection (Scotland)
Act 2007; SCIE's "Types and indicators of abuse"; the Home Office's county lines guidance; and
the phrases care staff and providers write in alerts (`left soiled`, `no food in the house`,
`bank card missing`). Plain functions, no I/O: the mail pipeline, the chat handlers and the
attachment store all ask `assess`.
"""

from __future__ import annotations

import enum
import functools
import importlib
import re
from dataclasses import dataclass
from typing import Any


class Signal(int, enum.Enum):
    NONE = 0
    WEAK = 1
    STRONG = 2


_VALUABLES = (r"(?:money|cash|purse|wallet|handbag|bank ?cards?|credit cards?|debit cards?|cheque ?book|"
              r"pension|benefits|savings|belongings|possessions|valuables|jewel(?:le)?ry|rings?|watch|"
              r"medication|tablets|controlled drugs|property)")
_GONE = r"(?:missing|stolen|taken|gone|disappeared|unaccounted for|went missing|has gone|have gone)"

# Each entry: a pattern (case-insensitive, matched on whole words) and the name the note shows.
_STRONG: tuple[tuple[str, str], ...] = (
    (r"safeguard\w*", "safeguarding"),
    (r"abus(?:e|es|ed|ing|ive|er|ers)", "abuse"),
    (r"(?:ill|mis|mal)[- ]?treat\w*", "ill-treatment"),
    (r"harm(?:s|ed|ing|ful)?", "harm"),
    (r"self[- ]?harm\w*", "self-harm"),
    (r"bruis\w*", "bruising"),
    (r"injur(?:y|ies|ed|ing|ious)", "injury"),
    (r"fractur\w*", "fracture"),
    (r"unexplained (?:marks?|wounds?|burns?|injur\w*|bruis\w*|falls?)", "unexplained injury"),
    (r"slap\w*", "slapped"),
    (r"punch(?:ed|es|ing)?", "punched"),
    (r"kick(?:ed|ing|s)?", "kicked"),
    (r"(?:hit|hitting|hits|struck|beat|beaten|beating|pushed|pushing|grabbed|shaken|shook)"
     r"(?= (?:by|him|her|them|me|mr|mrs|ms|miss|(?:(?:a|the|another|other|his|her|their) )?(?:resident|service user|"
     r"client|patient|person|tenant|man|woman|lady|gentleman|carer|wife|husband|son|daughter|mother|father|child))\b)",
     "hit or pushed"),
    (r"pinch(?:ed|ing)?", "pinched"),
    (r"shov\w*", "shoved"),
    (r"rough(?:ly)? handl\w*|handled roughly", "rough handling"),
    (r"assault\w*", "assault"),
    (r"violen\w*", "violence"),
    (r"restrain\w*|restraint", "restraint"),
    (r"locked (?:in|out|up)|tied (?:up|to)", "confinement"),
    (r"neglect\w*", "neglect"),
    (r"left (?:soiled|wet|dirty|unattended|alone|in (?:bed|urine|faeces|pain)|"
     r"without (?:food|fluids?|water|drinks?|meals?|medication|care|help|heating|support))", "left without care"),
    (r"soiled", "left soiled"),
    (r"(?:no|without) (?:food|fluids?|water|meals?|drinks?)(?: in the (?:house|flat|home))?", "without food"),
    (r"not (?:been )?(?:fed|given (?:food|fluids?|water|drinks?|meals?|medication))", "not fed"),
    (r"starv\w*", "starvation"),
    (_VALUABLES + r" (?:(?:was|were|is|are|has been|have been|had been|being|seem to be|appear to be) )?" + _GONE,
     "money or belongings missing"),
    (r"(?:missing|stolen|lost) " + _VALUABLES, "money or belongings missing"),
    (r"theft|thefts|thie[fv]\w*|steal\w*|stole|stolen", "theft"),
    (r"fraud\w*|scam\w*|embezzl\w*", "fraud"),
    (r"financial(?:ly)? (?:abuse|harm|exploit\w*|irregularit\w*)", "financial abuse"),
    (r"exploit\w*", "exploitation"),
    (r"county lines|cuckoo\w*", "county lines"),
    (r"modern slavery|slave\w*|traffick\w*|forced (?:labour|labor|work|marriage)|debt bondage|servitude",
     "modern slavery"),
    (r"sexual\w*|rape|raped|raping|molest\w*|indecen\w*|inappropriate(?:ly)? touch\w*|touched inappropriately|"
     r"fgm|female genital", "sexual abuse"),
    (r"domestic (?:abuse|violence)", "domestic abuse"),
    (r"coerc\w*|controlling behaviou?r", "coercive control"),
    (r"bull(?:y|ied|ying|ies)|humiliat\w*|harass\w*|intimidat\w*|degrad(?:ed|ing)", "psychological abuse"),
    (r"hate crime|racist abuse|discriminatory abuse", "discriminatory abuse"),
    (r"suicid\w*|overdos\w*|ligature", "suicide risk"),
    (r"adult support and protection|asp (?:referral|inquiry|enquiry|case conference)|"
     r"adult protection|child protection|adults? at risk(?: of harm)?", "Adult Support and Protection"),
    (r"section 42|s\.? ?42(?: enquiry)?", "section 42"),
    (r"marac|mash referral|lado", "multi-agency safeguarding"),
    (r"radicali[sz]\w*|extremis\w*|honou?r[- ]based", "radicalisation"),
)

_WEAK: tuple[tuple[str, str], ...] = (
    (r"hit|hitting|struck|grabbed|pushed|pushing|shook|shaking|threw|thrown", "possible physical harm"),
    (r"shout(?:ed|ing)? at|swore at|swearing at|screamed at|threaten\w*|threat|threats", "possible psychological harm"),
    (r"(?:scared|frightened|afraid|fearful|terrified) (?:of|to)", "fear"),
    (r"burn|burns|burnt|burned|scald\w*|wound|wounds|cut to|marks? on", "possible injury"),
    (r"unwitnessed fall|fell and|found on the floor", "possible injury"),
    (r"pressure (?:sores?|ulcers?|damage)|grade [34] (?:sore|ulcer)", "pressure damage"),
    (r"dehydrat\w*|malnourish\w*|malnutrition|weight loss", "possible neglect"),
    (r"missed (?:medication|meds|doses?)|medication errors?|wrong medication", "medication error"),
    (r"police|arrest\w*|crime", "police involvement"),
    (r"disclos\w*|whistle[- ]?blow\w*", "disclosure"),
    (r"unsafe|at risk|vulnerable adult|risk to (?:life|others)", "risk"),
    (r"isolat(?:ed|ing) (?:from|him|her)|not allowed to (?:see|leave|go)", "possible control"),
    (r"deprivation of liberty|dols|mental capacity", "liberty and capacity"),
    (r"borrow\w* money|power of attorney|pin number|lent (?:him|her|them) money|gifts? from", "possible financial abuse"),
    (r"went missing|missing person|abscond\w*", "missing person"),
    (r"grooming", "grooming"),
    (r"died|death|deceased|passed away", "death"),
)

# A strong word just after one of these ("no safeguarding concerns", "not abuse") is weak, not
# absent: fail closed, a person with the role decides.
_NEGATION = re.compile(r"\b(?:no|not|nor|never|without|isn'?t|wasn'?t|aren'?t|weren'?t|ruled out|denies)\b"
                       r"(?:\W+\w+){0,3}\W*$", re.IGNORECASE)


def _compile(rules: tuple[tuple[str, str], ...], flags: int) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w])", flags), name) for pattern, name in rules)


def _any(flags: int) -> re.Pattern[str]:
    # Every rule in one pattern: a text it does not match carries no signal at all (a regular
    # expression's alternation tries every branch at every place, so this finds a place iff one
    # of the rules would), and most mail is such a text: one scan instead of sixty.
    alternatives = "|".join(f"(?:{pattern})" for pattern, _ in _STRONG + _WEAK)
    return re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w])", flags)


# The vocabulary is written in lower case (checked here), so on a text of ASCII characters,
# lowered, case-sensitive patterns find exactly what the case-insensitive ones find in the
# text as written, at the same places, several times faster. Other texts (where Unicode case
# folding could pair `ſ` with `s` or `K` with `k`) use the case-insensitive patterns.
if re.search(r"(?<!\\)[A-Z]", "".join(p for p, _ in _STRONG + _WEAK)):
    raise ValueError("the safeguarding vocabulary must be written in lower case")

_Rules = tuple[tuple[tuple[re.Pattern[str], str], ...], tuple[tuple[re.Pattern[str], str], ...], re.Pattern[str]]


@functools.cache
def _rules(ascii_lowered: bool) -> _Rules:
    """(strong rules, weak rules, any rule), compiled on first use: a command that never
    screens a text (`actionbot say "status AP1.2"`) does not pay for compiling them."""
    flags = 0 if ascii_lowered else re.IGNORECASE
    return _compile(_STRONG, flags), _compile(_WEAK, flags), _any(flags)


def _consumes_within_a_line(items: Any, parser: Any) -> bool:
    """Whether a parsed pattern consumes only characters other than a line break, and asserts
    nothing but word boundaries and lookaheads made of the same (see matches_stay_within_lines)."""
    constants = parser  # re._parser re-exports re._constants' names
    for op, arg in items:
        if op is constants.LITERAL:
            ok = arg != ord("\n")
        elif op is constants.IN:
            ok = all((kind is constants.LITERAL and value != ord("\n"))
                     or (kind is constants.RANGE and not value[0] <= ord("\n") <= value[1])
                     or (kind is constants.CATEGORY and value in (constants.CATEGORY_WORD, constants.CATEGORY_DIGIT))
                     for kind, value in arg)
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
            ok = _consumes_within_a_line(arg[2], parser)
        elif op is constants.SUBPATTERN:
            ok = _consumes_within_a_line(arg[3], parser)
        elif op is constants.BRANCH:
            ok = all(_consumes_within_a_line(branch, parser) for branch in arg[1])
        elif op is constants.ASSERT:
            ok = arg[0] == 1 and _consumes_within_a_line(arg[1], parser)  # a lookahead, not a lookbehind
        else:
            ok = op is constants.AT and arg is constants.AT_BOUNDARY
        if not ok:
            return False
    return True


@functools.cache
def matches_stay_within_lines() -> bool:
    """Whether every rule consumes only characters other than a line break and asserts only
    word boundaries (and lookaheads of the same). Then a match depends on the line it is in,
    and on at most one character either side, only as being a word character or `-` or not;
    so when `assess` finds no signal in some texts, there is none in a text made of pieces of
    them either, each piece a whole text or a part of one between characters that are not
    word characters or `-` (a subject without its `Re:`, a text without its surrounding
    whitespace), joined by line breaks. The mail pipeline relies on this to screen a new
    entry's words once, not three times. False (screen again) if a rule is written with
    anything else, or the standard library's pattern parser cannot be read."""
    try:
        parser = importlib.import_module("re._parser")
        return all(_consumes_within_a_line(parser.parse(pattern), parser) for pattern, _ in _STRONG + _WEAK)
    except Exception:  # a Python whose parser differs: keep screening every text
        return False


@dataclass(frozen=True)
class Assessment:
    """What a text says for safeguarding: the signal and the names of the words that gave it."""

    signal: Signal
    reasons: tuple[str, ...] = ()

    @property
    def restricts(self) -> bool:
        return self.signal is not Signal.NONE


def _flatten(texts: tuple[str | None, ...]) -> str:
    # Attachment names (`bruising_photo_2.jpg`) and hyphenated words read as words.
    joined = "\n".join(t for t in texts if t)
    return re.sub(r"[_]+", " ", joined)


def assess(*texts: str | None) -> Assessment:
    """The strongest safeguarding signal in any of `texts` (subject, body, notes, file names)."""
    text = _flatten(texts)
    if not text.strip():
        return Assessment(Signal.NONE)
    ascii_lowered = text.isascii()
    if ascii_lowered:
        text = text.lower()
    strong_rules, weak_rules, any_rule = _rules(ascii_lowered)
    if any_rule.search(text) is None:
        return Assessment(Signal.NONE)
    strong: list[str] = []
    weak: list[str] = []
    for pattern, name in strong_rules:
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 40):match.start()]
            target = weak if _NEGATION.search(before) else strong
            if name not in target:
                target.append(name)
            if target is strong:
                break
    for pattern, name in weak_rules:
        if name not in weak and pattern.search(text):
            weak.append(name)
    if strong:
        return Assessment(Signal.STRONG, tuple(strong))
    if weak:
        return Assessment(Signal.WEAK, tuple(weak))
    return Assessment(Signal.NONE)
