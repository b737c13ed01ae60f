"""Does a paragraph read as news reporting? The web-vocabulary rules of `classify` ("two web
words make furniture", "one web word after the body's last long paragraph is furniture") spare
a paragraph that does: a full sentence, not addressed to the reader or in the site's own voice,
that names someone or something, gives a number, quotes, or says who said it ("Cookies und
Newsletter sind für den Verlag wichtige Einnahmequellen, sagte die Geschäftsführerin.").
Furniture speaks to the reader ("Sign up for our newsletter", "Your email address will not be
published."), about the page ("This website uses cookies."), or is no sentence at all.
English, German, French, Spanish, Italian and Dutch.
"""

from __future__ import annotations

import re

from workbench.ingest.text import words

# The reader and the site's own "we" (and a newsletter's "my"): second person and first person
# plural, six languages; not the words that are also common words of another ("du", "ton",
# "te", "ci", "vi": French "of the", English "ton", Dutch "to", Italian "there"); German's
# polite "Sie" below.
_ADDRESS = words(
    "you your yours yourself you're you've you'll we our ours us we're we've my mine myself "
    "dich dir dein deine deinen deinem deiner euch euer eure wir uns unser unsere unseren "
    "unserem unserer unseres "
    "vous votre vos tu toi ta tes nous notre nos "
    "tú tus ti usted ustedes vosotros os nosotros nosotras nuestro nuestra nuestros nuestras "
    "tuo tua tuoi tue voi vostro vostra vostri vostre noi nostro nostra nostri nostre "
    "je jij jou jouw jullie u uw wij ons onze"
)
# German's polite "Sie"/"Ihnen"/"Ihr…", capitalised inside a sentence (at its start "Sie" and
# "Ihre" are also "she", "they", "her")
_POLITE = re.compile(r"(?:(?<=[^\W_] )|(?<=[,;] ))(?:Sie|Ihnen|Ihre?[mnrs]?)\b")
# the page speaking of itself, its link ("click here") or its comment section ("Comments are
# closed.")
_SELF = re.compile(
    r"\b(?:click here|hier klicken|cliquez ici|haz clic aquí|clicca qui|klik hier)\b|"
    r"\b(?:this|our) (?:web)?(?:site|page|article|newsletter)\b"
    r"|^(?:all |the )?comments (?:are|will|may|must|have)\b"
    r"|^(?:alle |die )?kommentare (?:sind|werden)\b"
    r"|^(?:tous )?les commentaires (?:sont|seront)\b"
    r"|^(?:todos )?los comentarios (?:son|están|serán)\b"
    r"|^(?:tutti )?i commenti (?:sono|saranno)\b|^(?:alle )?reacties (?:zijn|worden)\b"
    r"|\bdiese[rs]? (?:web)?(?:seite|site|artikel|newsletter)\b"
    r"|\b(?:ce site|cet article|cette page)\b"
    r"|\b(?:este (?:sitio|artículo|portal)|esta página)\b"
    r"|\b(?:questo (?:sito|articolo)|questa pagina)\b"
    r"|\b(?:deze (?:web)?site|dit artikel|deze pagina)\b",
    re.I,
)
# who said it: reporting verbs, answering or not, and "according to", six languages
_SAID = words(
    "said says told according added announced reported confirmed warned wrote stated "
    "responded replied commented declined "
    "sagte sagt sagten erklärte erklärt teilte berichtete bestätigte warnte schrieb laut zufolge "
    "antwortete reagierte "
    "déclaré dit indiqué affirmé annoncé expliqué précisé confirmé répondu réagi selon "
    "dijo dice afirmó explicó anunció informó confirmó advirtió respondió contestó según "
    "detto dichiarato spiegato annunciato riferito confermato risposto replicato secondo "
    "zei zegt verklaarde meldde bevestigde waarschuwde schreef reageerde antwoordde volgens"
)
# a finite verb: the auxiliaries and copulas of the six languages (not French "a", which is
# also the English article and the Spanish and Italian "to")
_FINITE = words(
    "is are was were has have had will would could can did does "
    "ist sind war waren hat haben hatte hatten wird werden wurde wurden kann können soll sollen "
    "est sont était étaient ont sera seront avait avaient peut peuvent doit doivent "
    "es son fue fueron era eran ha han había será serán puede pueden está están "
    "è sono erano hanno aveva avevano sarà saranno può possono "
    "zijn waren heeft hebben zal zullen wordt worden werd werden kunnen"
)
# English calls to action (also `classify`'s), some also nouns or prepositions ("Share prices",
# "Like Facebook, Instagram …"): opening a sentence, only a number or a reporting verb makes it
# news
IMPERATIVE = words(
    "follow like join share subscribe sign click tap leave read watch download get register "
    "support donate become listen"
)
_QUOTED = re.compile(r"[“„«\"][^“”„«»\"]*[”“»\"]")
_QUOTE_MARKS = re.compile(r"[“”„«»\"]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ENDS_SENTENCE = re.compile(r"[.!…][\s”\"’')\]»«›‹“]*$")
_SENTENCE_BREAK = re.compile(r"[.!?:…][”\"’')\]»«]*$")


def reads_as_reporting(text: str) -> bool:
    """A full sentence (six words or more, not a question) that speaks neither to the reader
    nor about the page, with a finite verb, a name, a number, a quotation or a reporting verb
    in it."""
    text = " ".join(text.split())
    if not _ENDS_SENTENCE.search(text):
        return False
    own = _QUOTED.sub(" ", text)  # a quotation may address anyone: the page's own words may not
    tokens = _WORD.findall(own)
    if len(_WORD.findall(text)) < 6 or not tokens:
        return False
    if _POLITE.search(own) or _SELF.search(own) or any(_addresses(t) for t in tokens):
        return False
    lowered = {t.lower() for t in tokens}
    said = bool(lowered & _SAID) or any(c.isdigit() for c in text)
    if any(w.lower() in IMPERATIVE for w in _sentence_openers(own)):
        return said
    return said or bool(lowered & _FINITE or _QUOTE_MARKS.search(text)) or _names(own)


def cites(text: str) -> bool:
    """Says who said or reported it ("The Daily Ledger first reported …"), unlike a publisher's
    line about itself ("The Daily Ledger is a member of …")."""
    return bool({t.lower() for t in _WORD.findall(text)} & _SAID)


def _addresses(token: str) -> bool:
    lower = token.lower()
    # "US", "U.S." are no Dutch "u"; "We", "Our" opening a sentence are the site speaking
    return lower in _ADDRESS and (token == lower or (len(token) > 1 and token == token.title()))


def _sentence_openers(text: str) -> list[str]:
    openers = _WORD.findall(text)[:1]
    openers += [m.group(1) for m in re.finditer(r"[.!?]\s+([^\W_]+)", text)]
    return openers


def _names(text: str) -> bool:
    """A capitalised word inside a sentence: a name (or, in German, any noun)."""
    previous = ""
    for word in text.split():
        core = word.lstrip("(“„«\"'‘")
        inside = previous and not _SENTENCE_BREAK.search(previous)
        if inside and core[:1].isupper() and core != "I":
            return True
        previous = word
    return False
