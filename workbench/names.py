"""Names in a text: the candidates for Target spans (pure; used by `workbench.suggest`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.attribution_lexicon import NOT_NAME, TITLES
from workbench.quotations import WORD

__all__ = ["names"]

# an adjective or demonym of a nation or region, alone or after a compass word: not an entity
# ("Dean", "Sean" and "Bern" are names: "-ean" and "-ern" only on longer words)
_ADJECTIVE = re.compile(
    r"(?:(?:North|South|East|West|Central)(?:ern)?\s+)?"
    r"(?:[A-Z][\w\-]*(?:ians?|eses?|ish|stanis?|cans?)|[A-Z][a-z]{4,}eans?|(?:North|South|East|West)ern)$"
)
# capitalised words, also joined by "of" ("Line of Control", "University of Leeds")
_CAPITAL_RUN = re.compile(r"(?:\b[A-Z][\w’'\-]*(?:\s+(?:of\s+)?|$))*\b[A-Z][\w’'\-]*")


def names(
    text: str, sentences: Sequence[tuple[int, int]], taken: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Named entities: capitalised names without their titles and possessive, each entity
    once (by its last word: "Khan" after "Imran Khan"), none starting inside ``taken``. A
    single capitalised word that opens a sentence, a title alone, or an adjective (of a
    nation, a region, a compound: "South Asian", "Western", "US-orchestrated") is not one."""
    out: list[tuple[int, int]] = []
    seen: set[str] = set()
    starts = {a for a, _ in sentences}
    for m in _CAPITAL_RUN.finditer(text):
        words = [(m.start() + w.start(), m.start() + w.end()) for w in WORD.finditer(m.group())]
        kept = [w for w in words if _bare(text[w[0] : w[1]]).rstrip(".") not in NOT_NAME]
        # drop titles: keep what follows the last title word
        titled = [i for i, w in enumerate(kept) if _bare(text[w[0] : w[1]]) in TITLES]
        if titled:
            kept = kept[titled[-1] + 1 :]
        if not kept:
            continue
        a, b = kept[0][0], kept[-1][1]
        name = text[a:b]
        for suffix in ("’s", "'s", "’", "'", ".", "-"):
            if name.endswith(suffix):
                b -= len(suffix)
                name = name[: -len(suffix)]
        if "’s " in name or "'s " in name:  # "China’s Belt": the owner is the name
            b = a + max(name.find("’s "), name.find("'s "))
            name = text[a:b]
        if re.search(r"-[a-z]+$", name) or _ADJECTIVE.match(name):
            continue  # "US-orchestrated", "Russian-led"; "South Asian", "Pakistanis"
        first_word = a in starts or text[max(0, a - 1)] in "“\"‘'«„"
        if len(name.split()) == 1 and first_word:
            continue  # a sentence's first word
        key = name.split()[-1].lower() if name.split() else ""
        if not key or key in seen or any(s <= a < e for s, e in taken):
            continue
        seen.add(key)
        out.append((a, b))
    return out


def _bare(word: str) -> str:
    """A word as the lexicon lists it: lower case, without a possessive ("Minister’s")."""
    return re.sub(r"[’']s?$", "", word.lower())
