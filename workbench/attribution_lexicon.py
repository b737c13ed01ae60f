"""The words the suggester knows: reporting verbs and phrases, titles, kinds of speaker.

Kept apart from the rules (`workbench.suggest`) so that a lexicon change reads as one. Every
change here should bump `workbench.suggest.RULES_VERSION`.

Entries marked as checked against PolNeAR (Newell, Margolin & Ruths, LREC 2018; its repository
has no licence file, so none of its text is copied here, only which words its annotators mark)
were counted in its data/train or data/dev annotations, never its data/test.
"""

from __future__ import annotations

import re

__all__ = ["CUE_RE", "CUE_WORDS", "TITLES", "source_type"]

# Stance phrases: what follows "pointed to", "alluding to", "referring to" is the Content.
STANCE_PHRASE = re.compile(
    r"(?:point|allud|refer)\w*\s+to|(?:go|goes|going|went|gone)\s+after|(?:\w+\s+){0,3}swipes?\s+at"
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


CIRCUMSTANCE = _set(
    "on in at during after before last earlier late later this yesterday today also again "
    "repeatedly publicly monday tuesday wednesday thursday friday saturday sunday tonight"
)

# -- lexicon -----------------------------------------------------------------------------------

VERBS = (
    "say said says saying|tell told tells telling|add added adds adding|claim claimed claims "
    "claiming|stated stating|stress stressed stresses stressing|warn warned warns warning|"
    "note noted noting|insist insisted insists insisting|announce announced announces announcing|"
    "explain explained explains|argue argued argues arguing|assert asserted asserts|"
    "maintain maintained maintains maintaining|emphasise emphasised emphasises emphasising "
    "emphasize emphasized emphasizes emphasizing|underscore underscored underscores "
    "underscoring|underline underlined underlines underlining|reveal revealed reveals revealing|"
    "reported reporting reports|confirm confirmed confirming|deny denied denies denying|"
    "believe believed believes|think thinks|predict predicted predicts predicting|"
    "accuse accused accuses accusing|urge urged urges urging|acknowledge acknowledged "
    "acknowledges|admit admitted admits admitting|allege alleged alleges alleging|concede "
    "conceded concedes|contend contended contends|declare declared declares declaring|disclose "
    "disclosed discloses|estimate estimated estimates|observe observed observes|remarked|"
    "reiterate reiterated reiterates reiterating|respond responded responds|reply replied "
    "replies|write wrote writes|tweet tweeted tweets tweeting|continue continued continues|"
    "conclude concluded concludes|recall recalled recalls|complain complained complains|suspect "
    "suspected|feared|realise realised realize realized|ask asked asks|promise "
    "promised promises|vow vowed vows|pledge pledged pledges|implied implies|hint hinted hints|"
    "rule ruled rules|"
    "find found finds|show showed shows|interpret interpreted|reassure reassured reassuring|"
    "assure assured assures|inform informed informs|testify testified|repeat repeated repeats|"
    "point pointed points|agree agreed agrees|decline declined declines declining|refuse refused "
    "refuses refusing|learned|Asked|joke joked jokes|lament lamented laments|"
    "boast boasted boasts|quip quipped|hope hoped hopes|"
    "worry worried worries|fear fears|expect expected expects|doubt doubted doubts|"
    "charge charged charges|recognize recognized recognizes|argued|contend|predicting|"
    "acknowledging|conceding|proclaim proclaimed proclaims|caution cautioned cautions|"
    "lament|concede|mused|speculated|speculate|wonder wondered wonders|"
    "demand demanded demands|asserting|suggested|indicate indicated indicates|intend intends "
    "intended|discovered|"
    "vote voted votes|threaten threatened threatens|offer offered offers|agreed agrees|"
    # the inflections the groups above lacked (workbench-rules-9): an -ing form is weak
    "explaining believing contending disclosing observing responding replying continuing "
    "concluding recalling complaining asking promising vowing pledging hinting repeating "
    "pointing joking lamenting boasting hoping worrying fearing expecting doubting "
    "recognizing proclaiming cautioning wondering demanding indicating threatening|"
    "notes suspects reassures testifies quips speculates speculating|"
    "countered counters|commented"
)
# Verbs of stance (PARC counts them as attribution): what follows is the Content, an object
# with its complement ("praised Putin as a strong leader", "called it a ploy").
STANCE = _set(
    "praise praised praises criticize criticized criticizes criticise criticised criticises "
    "blast blasted blasts slam slammed slams denounce denounced denounces condemn condemned "
    "condemns attacked hammered mocked mocks accused accuses described describes dismissed "
    "dismisses defended defends endorsed endorses rejected rejects called calls lambasted "
    "chided scolded applauded hailed ridiculed"
    # mined from PolNeAR's data/train cues (words that report a stance, with an object)
    " calling praising criticizing blasting slamming denouncing attacking accusing describing"
    " cite cites cited citing echo echoes echoed echoing propose proposes proposed proposing"
    " portray portrays portrayed portraying unveil unveils unveiled outline outlines outlined"
    " outlining highlight highlights highlighted highlighting tout touts touted touting blame"
    " blames blamed blaming bashed bashing grilled ripped referencing reiterated reiterates"
    # from other PolNeAR data/dev articles (workbench-rules-6)
    " questioned complimented complimenting referenced"
    # checked against PolNeAR's data/train (workbench-rules-7): every use outside quotations
    # in the articles read is an attribution there
    " mention mentioned mentions mentioning"
    # from PolNeAR's data/dev ("openly admires Putin as a “strong leader,” comparing him …")
    " admire admired admires admiring compare compared compares comparing"
)
# The -ing forms the stance verbs above lacked (workbench-rules-9), cues only as a progressive
# ("is defending his tweets"): an opening participle is a circumstance ("Defending his trip, …")
PROGRESSIVE_ONLY = _set(
    "defending dismissing rejecting endorsing condemning mocking hailing applauding ridiculing "
    "scolding lambasting hammering questioning"
)
STANCE |= PROGRESSIVE_ONLY
CUE_WORDS = frozenset(VERBS.replace("|", " ").split()) | STANCE
# Forms that are more often nouns or take no reported content: cues only right before
# "that", a colon or a quotation, or right after a quotation.
WEAK = _set(
    "claims notes estimates shows finds rules points continue continued continues agree "
    "point pointed show showed found find rule ruled think ask asked add adds adding "
    "implied implies optimistic confident convinced hopeful concerned reports hope hoped hopes "
    "worry worried worries fear fears expect expected expects doubt doubted doubts charge "
    "charged charges recognize recognized recognizes demand demanded demands wonder "
    "wondered wonders discovered indicate indicates afraid"
)
# Verbs of saying whose Content may be a noun phrase: "noted the rule", "denied any involvement"
NP_OBJECT = _set(
    "acknowledge acknowledged acknowledges deny denied denies noted promised promises confirmed "
    "confirms announced announces revealed reveals"
)
# What a document shows: cues without "that" when the subject is a poll, report, video, …
EVIDENCE = _set("show shows showed found finds reveal revealed reveals indicate indicates")
# Forms that are nouns after "that", "these", "those" ("that claim smacked of …").
NOUNS = _set(
    "claim claims warning warnings fear fears hope hopes demand demands doubt doubts charge "
    "charges report reports estimate estimates promise promises pledge pledges vow vows"
)
# Cues whose content is an infinitive ("declined to comment") or, for a call, what is called
# for ("called on Obama to act", "urged restraint"), not a clause.
TO_INFINITIVE = _set(
    "decline declined declines declining refuse refused refuses refusing vow vowed vows vowing "
    "pledge pledged pledges promise promised promises intend intends intended vote voted votes "
    "threaten threatened threatens offer offered offers hope hopes hoped"
)
# ... of which these report nothing but an infinitive ("plans that" is a noun's clause).
INFINITIVE_ONLY = _set(
    "decline declined declines declining refuse refused refuses refusing intend intends "
    "intended vote voted votes threaten threatened threatens offer offered offers"
)
CALLS = re.compile(r"call(?:s|ed|ing)?\s+(?:on|for|upon)|urg(?:e|ed|es|ing)")
# Verbs that take an addressee before their content ("told Reuters the delays …").
ADDRESSEE = _set(
    "tell told tells telling inform informed informs assure assured assures "
    "reassure reassured reassuring urge urged urges warn warned warns warning"
)
# Attitudes held of something: "is skeptical Trump can …", "was critical of Obama's stance",
# "lawmakers nervous about being tethered …" (checked against PolNeAR's data/train: 7 of the 8
# outside quotations are attributions there; "were unsure" with no content is not)
ATTITUDE = re.compile(
    r"skeptical|adamant|uncertain|critical\s+of|(?:nervous|uneasy)\s+about|satisfied\s+with"
)
PHRASES = (
    r"[Aa]ccording\s+to",
    r"[Ii]n\s+the\s+words\s+of",
    r"call(?:s|ed|ing)?\s+(?:on|for|upon)",
    r"point(?:ed|s)?\s+out",
    r"ma(?:de|ke|kes)\s+(?:it\s+)?clear",
    r"(?:points?|pointed|pointing|alluded|alluding|referred|referring)\s+to",
    # "Romney went after Trump over …", "(has taken a) swipe at": 5 of 5 in PolNeAR train read
    r"(?:go|goes|going|went|gone)\s+after",
    r"(?:(?:take|takes|took|taken|taking)\s+(?:a|multiple|several|another)\s+)?swipes?\s+at",
    r"expressed\s+(?:surprise|hope|concern|confidence|doubt|fears?)",
    r"optimistic|confident|convinced|hopeful|afraid",
    ATTITUDE.pattern,
)
# Case-sensitive: "State Department" and "the Pakistani state" are not cues.
CUE_RE = re.compile(
    r"\b(?:"
    + "|".join(PHRASES)
    + r"|(?:"
    + "|".join(sorted(CUE_WORDS, key=len, reverse=True))
    + r"))\b"
)

TITLES = _set(
    "minister president prime premier pm chancellor secretary spokesperson spokesman "
    "spokeswoman ambassador envoy senator lawmaker mp governor mayor general colonel admiral "
    "chief king queen prince sheikh ayatollah dr dr. professor prof. judge justice leader "
    "commissioner director chairman chairwoman chair ceo official officials representative"
)
OFFICIAL = _set(
    "minister ministry president prime premier pm chancellor secretary spokesperson spokesman "
    "spokeswoman ambassador envoy senator lawmaker lawmakers mp governor mayor general army "
    "military government communique court police office department embassy parliament "
    "congress bank commission council party opposition officials official authorities state "
    "kremlin white house cabinet senate ministers diplomats sen rep gov congressman "
    "congresswoman representative speaker"
)
ANALYST = _set(
    "analyst analysts expert experts economist economists professor dr dr. researcher "
    "researchers academic scholar commentator think tank epidemiologist scientist "
    "scientists strategist institute university pollster consultant"
)
MEDIA = _set(
    "radio reuters ap afp newspaper agency television tv broadcaster journalist reporter "
    "reporters bbc cnn rt times post dawn tass xinhua bloomberg media"
)
GENERIC = _set(
    "source sources observers critics diplomats officials experts analysts many some others "
    "people residents witnesses insiders voters supporters opponents leaders members advocates "
    "activists"
)
# Ordinary people and bodies that are neither state nor experts: the schema's ``other``.
ORDINARY = _set(
    "citizen citizens resident residents mother mothers father fathers parent parents family "
    "families relative relatives villager villagers farmer farmers student students worker "
    "workers trader traders shopkeeper survivor survivors victim victims protester protesters "
    "demonstrators refugee refugees migrant migrants teacher teachers nurse patient patients "
    "fan fans neighbour neighbours neighbor neighbors owner owners customer customers passenger "
    "passengers driver woman women man men girl boy child children daughter son husband wife "
    "widow mourners locals salesman company companies firm"
)
PRONOUNS = _set("he she they we i it")
# What a document-like Source is called: "The statement also referenced …", "a review of records"
DOCUMENTS = _set(
    "statement statements report reports poll polls survey surveys study document documents "
    "letter memo video analysis review records data"
)
DETERMINERS = _set("a an some several many one two few")
# Words that end a Source noun phrase when scanning back from a cue.
STOP = _set(
    "that which who whom whose and but or because when while after before as if since though "
    "although whether where so than then the of in on at by for to with from into about, "
    "defending during what"
) - frozenset(["the", "of", "at", "for", "in"])
# Words before "to" inside a Source: "aides to Clinton", "sources close to her campaign".
LINKED = _set(
    "aide aides adviser advisers advisor advisors close spokesman spokeswoman ally allies lawyer "
    "lawyers attorney counsel assistant"
)
LEADING_DROP = _set(
    "but and so meanwhile moreover however yet also then still later now thus instead nevertheless"
)
TRAILING_DROP = _set(
    "has have had was were is are also later then again reportedly recently publicly "
    "repeatedly importantly crucially earlier once would will might could in turn now "
    "promptly often further"
)


NOT_CLAUSE = _set(
    "to about for on in at by with of from into during as after before when while and but or "
    "up out back down over"
)

NOT_NAME = _set(
    "the a an in on at but and this that these those it he she they we i his her their its our "
    "after before during when while as if according meanwhile moreover however nevertheless "
    "still both some many such so for from with without despite since although though between "
    "instead there here what why how who not nobody to by of be should ahead one two last "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday tv"
)


# -- source types ------------------------------------------------------------------------------


def source_type(np: str, about: str = "") -> str | None:
    """Guess a Source's type from its words and what the text says about it (``about``); None
    when nothing does: a bare name or pronoun is left for the annotator."""
    low = [w.lower().strip(",.’'()") for w in np.split()]
    if len(low) == 1 and low[0] in PRONOUNS:
        return "author" if low[0] == "i" else _profile_type(about)
    if any(w in MEDIA for w in low):
        return "media"
    generic = low[0] in DETERMINERS or (
        low[-1] in GENERIC and not any(w[:1].isupper() for w in np.split()[1:])
    )
    if any(w in ANALYST for w in low) and not generic:
        return "analyst"
    if generic:
        return "unnamed"
    if any(w in OFFICIAL for w in low):
        return "official"
    if any(w in ORDINARY or w in DOCUMENTS for w in low):
        return "other"  # "more than 1,000 Nigerian citizens", "the poll"
    return _profile_type(about)


_APPOSITION_ORDINARY = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w’'\-]+\s+){0,3}?(?:"
    + "|".join(sorted(ORDINARY, key=len, reverse=True))
    + r")\b"
)


def _profile_type(about: str) -> str | None:
    words = {w.lower().strip(",.’'()") for w in about.split()}
    if words & ANALYST:
        return "analyst"
    if words & OFFICIAL:
        return "official"
    if _APPOSITION_ORDINARY.search(about):
        return "other"  # "Fatima Bello, a mother of three, said"; not "… about women"
    return None  # "media" only from the Source's own words: "said on RT" is not an outlet
