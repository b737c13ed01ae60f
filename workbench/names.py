"""Names in a text: the candidates for Target spans (pure; used by `workbench.suggest`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.attribution_lexicon import NOT_NAME, TITLES
from workbench.quotations import WORD

__all__ = ["names"]

_CAPITAL_RUN = re.compile(r"(?:\b[A-Z][\w’'\-]*(?:\s+|$))*\b[A-Z][\w’'\-]*")


def names(
    text: str, sentences: Sequence[tuple[int, int]], taken: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Named entities: capitalised names without their titles and possessive, each entity
    once (by its last word: "Khan" after "Imran Khan"), none starting inside ``taken``. A
    single capitalised word that opens a sentence, or a nationality adjective, is not one."""
    out: list[tuple[int, int]] = []
    seen: set[str] = set()
    starts = {a for a, _ in sentences}
    for m in _CAPITAL_RUN.finditer(text):
        words = [(m.start() + w.start(), m.start() + w.end()) for w in WORD.finditer(m.group())]
        kept = [w for w in words if text[w[0] : w[1]].lower().rstrip(".") not in NOT_NAME]
        # drop titles: keep what follows the last title word
        titled = [i for i, w in enumerate(kept) if text[w[0] : w[1]].lower() in TITLES]
        if titled:
            kept = kept[titled[-1] + 1 :]
        if not kept:
            continue
        a, b = kept[0][0], kept[-1][1]
        name = text[a:b]
        for suffix in ("’s", "'s", "’", "."):
            if name.endswith(suffix):
                b -= len(suffix)
                name = name[: -len(suffix)]
        if "’s " in name or "'s " in name:  # "China’s Belt": the owner is the name
            b = a + max(name.find("’s "), name.find("'s "))
            name = text[a:b]
        if re.search(r"-(?:led|based|backed)$", name):
            continue
        first_word = a in starts or text[max(0, a - 1)] in "“\"‘'«„"
        if len(name.split()) == 1 and (
            first_word or re.search(r"(?:ian|ese|ish|stani|can)$", name)
        ):
            continue  # a sentence's first word, or a nationality adjective
        key = name.split()[-1].lower() if name.split() else ""
        if not key or key in seen or any(s <= a < e for s, e in taken):
            continue
        seen.add(key)
        out.append((a, b))
    return out
