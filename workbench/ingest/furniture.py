"""Web furniture in German, French, Spanish, Italian and Dutch, the way the English rules of
`classify` decide it (and English labels, which may be headings): a short line that opens with
a call to action addressed to the reader ("Folgen Sie uns", "Abonnez-vous", "Suscríbete"), a
line that is only a label ("Mehr zum Thema", "Pubblicità", "Related"), a pointer to another
story ("Lire aussi …"), a cookie notice in the site's own voice. Each pattern is anchored at
the paragraph's start and a call or pointer must be short: the same words inside a long
paragraph, a quotation or a question are news prose.
"""

from __future__ import annotations

import re

_SOCIAL = r"(?:facebook|twitter|x|instagram|telegram|whatsapp|linkedin|youtube|tiktok|bluesky)"

# Only a label: the whole line, give or take trailing punctuation. Ambiguous openers ("Mehr zum
# Thema Datenschutz will …", "Leer más libros …") are furniture only alone.
_LABELS = (
    # English too: a heading that is only a label ("Related", "Read more") is the site's, though
    # other short headings ("Background") are the story's
    r"related(?: (?:stories|articles|coverage|content|links|posts|news|reading))?"
    r"|(?:read|see) (?:more|also)|also read|you (?:may|might) also like|recommended(?: for you)?"
    r"|more on this (?:story|topic)|advertisement|sponsored(?: content)?"
    r"|mehr zum thema|lesen sie auch|das könnte sie (?:auch )?interessieren|auch interessant"
    r"|anzeige|werbung|gesponsert"
    r"|(?:à )?lire aussi|voir aussi|sur le même sujet|lire la suite|publicité|contenu sponsorisé"
    r"|leer más|lee también|te puede interesar|le puede interesar|noticias relacionadas"
    r"|publicidad|contenido patrocinado"
    r"|leggi anche|continua a leggere|(?:ti )?potrebbe (?:interessarti|interessare)"
    r"|articoli correlati|pubblicità|contenuto sponsorizzato"
    r"|lees (?:ook|meer|verder)|meer over dit onderwerp|gerelateerde artikelen|advertentie"
    r"|gesponsord"
)
_LABEL = re.compile(rf"(?:{_LABELS})\s*[:.…»›|]*", re.I)

# A pointer to another story, its title after it ("Lire aussi « Le fleuve »": quotes allowed;
# "Lire aussi les archives …, explique l'historienne" is prose).
_POINTER = re.compile(
    r"(?:lesen (?-i:Sie) auch|(?:à )?lire aussi|voir aussi|lee también|lea también"
    r"|leggi anche|lees ook)\b",
    re.I,
)

# A call to action addressed to the reader, whatever follows it in a short line.
_CALL = re.compile(
    r"(?:"
    # German: polite imperatives to follow, subscribe, register, share, read on
    r"(?:folgen|besuchen|unterstützen|kontaktieren) (?-i:Sie) uns\b"
    r"|(?:abonnieren|registrieren) (?-i:Sie)\b"
    r"|(?:melden|tragen) (?-i:Sie) sich\b[^.]{0,40}\b(?:newsletter|unser\w*)\b"
    r"|teilen (?-i:Sie)\b[^.]{0,40}\b(?:artikel|beitrag|unser\w*)\b"
    r"|lesen (?-i:Sie) (?:mehr|hier|weiter|jetzt|dazu|unser\w*|den (?:ganzen|kompletten))\b"
    # "Den kompletten Beitrag lesen Sie in der neuen Ausgabe …": the rest of the story is
    # elsewhere (not an interview's answer: "In den Akten lesen Sie auf jeder Seite, wie …")
    r"|(?:[\w-]+ ){0,3}(?:beitrag|artikel|text|bericht|interview|reportage|analyse|story"
    r"|geschichte|mehr|weitere[sn]?|ausgabe|dossier|details|fortsetzung|hintergründe)"
    r"(?: [\w-]+){0,2} (?:lesen|hören|sehen) (?-i:Sie)\b"
    r"|(?:teilen|folgen) (?:auf|bei|via|per) " + _SOCIAL + r"\b"
    # French
    r"|(?:suivez|rejoignez|retrouvez|soutenez|contactez)[- ]nous\b"
    r"|(?:abonnez|inscrivez|connectez|identifiez)[- ]vous\b"
    r"|partage[rz]? (?:sur|par|via|cet article|l['’]article)\b"
    r"|pour (?:lire|continuer à lire) (?:la suite|cet article)\b"
    r"|cet article est réservé aux abonnés"
    r"|(?:téléchargez|recevez) (?:notre|nos|l['’]application|la newsletter)\b"
    r"|cliquez ici\b"
    # Spanish
    r"|(?:síguenos|síganos|apóyanos|suscríbete|suscríbase|regístrate|regístrese)\b"
    r"|hazte (?:socio|suscriptor)\b"
    r"|(?:comparte|compartir) (?:en|por|vía) " + _SOCIAL + r"\b"
    r"|(?:comparte|compartir) (?:esta noticia|este artículo)\b"
    r"|(?:recibe|reciba|descarga|descárgate) (?:nuestr[oa]s?|el boletín|la app|la aplicación)\b"
    r"|haz clic\b|pincha aquí\b|para seguir leyendo\b"
    # Italian ("abbonati" alone is also "subscribers")
    r"|(?:seguici|sostienici|iscriviti)\b|abbonati (?:ora|subito|a|al|alla|per)\b"
    r"|condividi (?:su|via|questo articolo|l['’]articolo)\b"
    r"|leggi (?:tutto|l['’]articolo)\b"
    r"|(?:scarica|ricevi) (?:la nostra|il nostro|l['’]app|la newsletter)\b|clicca qui\b"
    # Dutch
    r"|(?:volg|steun) ons\b|(?:abonneer|registreer) (?:je|u)\b"
    r"|(?:meld|schrijf) (?:je|u) (?:aan|in)\b[^.]{0,40}\bnieuwsbrief"
    r"|deel (?:op|via) " + _SOCIAL + r"\b|deel dit (?:artikel|bericht)\b"
    r"|lees het hele artikel\b|word (?:abonnee|lid|donateur)\b|download (?:de|onze) app\b"
    r"|klik hier\b"
    # "Already a subscriber? Log in": the reader asked, the login offered
    r"|(?:schon|bereits) (?:abonnent(?:in)?|registriert)\s*\?|déjà abonnée?\s*\?"
    r"|¿ya eres (?:suscriptor|socio)\w*\?|sei già abbonat[oa]\s*\?|al abonnee\s*\?"
    r")",
    re.I,
)

# A German call in the infinitive ends the line, with no full stop: "Newsletter abonnieren",
# "Jetzt kostenlos testen!" (not "Jetzt abonnieren mehr Leser …", "Hier ist nichts zu lesen.").
_INFINITIVE = re.compile(
    r"(?:jetzt|hier|newsletter|artikel|beitrag|kostenlos|gratis)(?: [\w-]+){0,2}?"
    r" (?:abonnieren|registrieren|anmelden|teilen|lesen|weiterlesen|herunterladen|bestellen"
    r"|testen|klicken|hören|kommentieren)\s*[!:»›→]*",
    re.I,
)

# The site's own voice on cookies.
_COOKIES = re.compile(
    r"(?:wir (?:verwenden|nutzen|setzen)|diese (?:web)?seite (?:verwendet|nutzt)"
    r"|nous utilisons|ce site (?:web )?utilise"
    r"|utilizamos|usamos|este (?:sitio|portal) (?:web )?(?:utiliza|usa)"
    r"|utilizziamo|usiamo|questo sito (?:web )?(?:utilizza|usa)"
    r"|(?:wij|we) gebruiken|deze (?:web)?site gebruikt)\b[^.]{0,60}\bcookies?\b",
    re.I,
)

_QUOTES = set('“”„"«»')


def furniture(text: str, words: int) -> str | None:
    """Why the paragraph is furniture in one of the five languages, None when it is not."""
    text = " ".join(text.split())
    if _LABEL.fullmatch(text):
        return "label"
    if text.endswith("?") or words > 25 or len(text) > 250:
        return _cookie(text)
    pointer = _POINTER.match(text)
    if pointer and _titled(text[pointer.end() :]):
        return "cross-reference"
    if _QUOTES & set(text):  # a quoted appeal is news
        return None
    if _CALL.match(text) or _INFINITIVE.fullmatch(text):
        return "web furniture"
    return _cookie(text)


def _cookie(text: str) -> str | None:
    if len(text) <= 400 and not _QUOTES & set(text) and _COOKIES.match(text):
        return "web furniture"
    return None


def _titled(rest: str) -> bool:
    """Does a title follow a pointer: nothing, a separator, a quotation mark or a capital?"""
    rest = rest.lstrip()
    return not rest or rest[0] in ':|»›–—-«“„"' or rest[0].isupper()
