"""E-mail addresses as the hub keeps them: one spelling per mailbox, no look-alikes.

An address is folded with NFKC (full-width letters become the ones they stand for), checked
by email-validator (syntax, length, a real domain), its domain lower-cased and
IDNA-normalised (`BÜCHER.de` and `xn--bcher-kva.de` are both `bücher.de`). Then it is refused
if any part mixes writing systems the way homographs do ("admin" spelt with a Cyrillic a,
U+0430), or if its local part is written entirely in letters that pass for Latin ones
(Cyrillic "pay", U+0440 U+0430 U+0443). Scripts may mix only as Unicode's "highly
restrictive" profile allows (UTS #39: Latin with Han and Japanese kana, or with Han and
Bopomofo, or with Han and Hangul); the script of each letter comes from Unicode's data, via
confusable-homoglyphs.
"""

from __future__ import annotations

import unicodedata

from confusable_homoglyphs import categories, confusables
from email_validator import EmailNotValidError, validate_email

# UTS #39 section 5.2, "Highly Restrictive": the only mixtures of scripts allowed.
ALLOWED_MIXTURES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
NEUTRAL = frozenset({"COMMON", "INHERITED"})  # digits, dots, combining marks


def _lookalike(part: str, *, whole: bool) -> str | None:
    """Why `part` (a local part or one domain label) could pass for another, or None;
    `whole` also refuses a part written entirely in letters that pass for Latin ones."""
    scripts = {categories.alias(ch) for ch in part} - NEUTRAL
    if len(scripts) > 1 and not any(scripts <= allowed for allowed in ALLOWED_MIXTURES):
        names = " and ".join(sorted(script.title() for script in scripts))
        return f"mixes {names} letters, as look-alike addresses do"
    if whole and scripts and scripts != {"LATIN"}:
        letters = [ch for ch in part if categories.alias(ch) not in NEUTRAL]
        if all(confusables.is_confusable(ch, preferred_aliases=["latin"]) for ch in letters):
            return "is written in letters that pass for Latin ones, as look-alike addresses are"
    return None


def normalize_email(value: str) -> str:
    """The address as stored and compared; ValueError saying what is wrong with it."""
    folded = unicodedata.normalize("NFKC", value.strip())
    try:
        parts = validate_email(folded, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"is not a valid email address: {error}") from None
    # Whole-script look-alikes among domains are the registries' to refuse (Russia's `.рф` is real).
    where = [("the part before @", parts.local_part, True)]
    where += [(f"the domain label {label!r}", label, False) for label in parts.domain.split(".")]
    for name, part, whole in where:
        problem = _lookalike(part, whole=whole)
        if problem:
            raise ValueError(f"{name} {problem}")
    return str(parts.normalized)


def lookup_form(value: str) -> str:
    """What to look an address up by: its stored spelling when it is a valid address, else
    the text as given (it will match nothing). Compare it through SQL `lower()` on both sides,
    as the unique index does, so that the database's idea of case decides alike."""
    try:
        return normalize_email(value)
    except ValueError:
        return value.strip()
