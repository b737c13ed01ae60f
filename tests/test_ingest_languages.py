"""Web furniture in German, French, Spanish, Italian and Dutch (workbench/ingest/furniture.py):
short calls to action, label-only lines, pointers to other stories, cookie notices and photo
credits go, listed with their reason; news prose that only mentions subscribing, reading,
newsletters or cookies stays. Hand-made articles, one per language."""

from __future__ import annotations

import pytest

from workbench.ingest import CleanArticle, clean_article

# A local story in each language: the body every test article must come out with.
BODY = {
    "de": [
        "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Sommer "
        "des kommenden Jahres vollständig zu sanieren, weil die Prüfer bei der letzten "
        "Untersuchung tiefe Risse im Beton gefunden hatten. Die Arbeiten beginnen im März.",
        "Für den Verkehr bedeutet das eine lange Umleitung über die Dörfer im Süden, die nach "
        "Angaben der Verwaltung bis zu zwanzig Minuten mehr Zeit kosten wird, vor allem im "
        "Berufsverkehr am Morgen und am Abend.",
        "Die Kosten von rund zwölf Millionen Euro teilen sich das Land und die Stadt, die dafür "
        "einen Teil ihrer Rücklagen auflösen muss, wie der Kämmerer in der Sitzung erklärte.",
    ],
    "fr": [
        "Le conseil municipal a décidé mardi de rénover entièrement le vieux pont sur la rivière "
        "d'ici l'été prochain, après que les inspecteurs ont trouvé des fissures profondes dans "
        "le béton lors de leur dernière visite. Les travaux commenceront en mars.",
        "Pour les automobilistes, cela signifie un long détour par les villages du sud, qui "
        "prendra jusqu'à vingt minutes de plus selon la mairie, surtout aux heures de pointe du "
        "matin et du soir.",
        "Le coût, d'environ douze millions d'euros, sera partagé entre la région et la ville, qui "
        "devra puiser dans ses réserves, a expliqué l'adjoint aux finances pendant la séance.",
    ],
    "es": [
        "El ayuntamiento decidió el martes renovar por completo el viejo puente sobre el río "
        "antes del próximo verano, después de que los inspectores encontraran grietas profundas "
        "en el hormigón durante su última visita. Las obras empezarán en marzo.",
        "Para los conductores, esto significa un largo desvío por los pueblos del sur, que "
        "costará hasta veinte minutos más según el consistorio, sobre todo en las horas punta de "
        "la mañana y de la tarde.",
        "El coste, de unos doce millones de euros, se repartirá entre la comunidad y la ciudad, "
        "que tendrá que recurrir a sus reservas, explicó el concejal de Hacienda durante el pleno.",
    ],
    "it": [
        "Il consiglio comunale ha deciso martedì di ristrutturare completamente il vecchio ponte "
        "sul fiume entro la prossima estate, dopo che gli ispettori avevano trovato crepe "
        "profonde nel cemento durante l'ultima visita. I lavori inizieranno a marzo.",
        "Per gli automobilisti questo significa una lunga deviazione attraverso i paesi del sud, "
        "che costerà fino a venti minuti in più secondo il comune, soprattutto nelle ore di punta "
        "del mattino e della sera.",
        "Il costo, di circa dodici milioni di euro, sarà diviso tra la regione e la città, che "
        "dovrà attingere alle sue riserve, ha spiegato l'assessore al bilancio durante la seduta.",
    ],
    "nl": [
        "De gemeenteraad heeft dinsdag besloten de oude brug over de rivier voor de volgende "
        "zomer volledig te renoveren, nadat inspecteurs bij hun laatste bezoek diepe scheuren in "
        "het beton hadden gevonden. De werkzaamheden beginnen in maart.",
        "Voor automobilisten betekent dit een lange omleiding via de dorpen in het zuiden, die "
        "volgens de gemeente tot twintig minuten extra kost, vooral in de spits van de ochtend en "
        "de avond.",
        "De kosten van ongeveer twaalf miljoen euro worden verdeeld tussen de provincie en de "
        "stad, die daarvoor een deel van haar reserves moet aanspreken, zei de wethouder van "
        "financiën tijdens de vergadering.",
    ],
}
TITLE = {
    "de": "Alte Brücke wird ein Jahr lang saniert",
    "fr": "Le vieux pont fermé pendant un an",
    "es": "El viejo puente cerrará durante un año",
    "it": "Il vecchio ponte chiuso per un anno",
    "nl": "Oude brug een jaar lang dicht",
}

# Furniture the English rules let through (each line stayed in the body before these rules),
# and the reason it is now listed with.
FURNITURE: dict[str, list[tuple[str, str]]] = {
    "de": [
        ("Mehr zum Thema", "label"),
        ("Das könnte Sie auch interessieren", "label"),
        ("Lesen Sie auch", "label"),
        ("Folgen Sie uns auf Facebook", "web furniture"),
        ("Abonnieren Sie unseren Newsletter", "web furniture"),
        ("Jetzt kostenlos registrieren", "web furniture"),
        ("Teilen auf WhatsApp", "web furniture"),
        ("Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.", "web furniture"),
        ("Bild: Stadtwerke/Karl Ebner", "photo credit"),
        # shaped like the promo line closing a heise.de story
        (
            "Den vollständigen Artikel lesen Sie in der neuen August-Ausgabe von Technik Heute "
            "(am Kiosk oder online bestellbar)",
            "web furniture",
        ),
        ("Mehr dazu lesen Sie hier.", "web furniture"),
        ("Die Fortsetzung lesen Sie morgen.", "web furniture"),
        ("Jetzt E-Paper lesen", "web furniture"),
    ],
    "fr": [
        ("À lire aussi", "label"),
        ("Sur le même sujet", "label"),
        ("Lire la suite", "label"),
        ("Lire aussi Paul Martin, « Les ponts de la Loire », mars 2021", "cross-reference"),
        ("Abonnez-vous à notre newsletter", "web furniture"),
        ("Suivez-nous sur Twitter", "web furniture"),
        ("Partager sur Facebook", "web furniture"),
        ("Pour lire la suite de cet article, abonnez-vous.", "web furniture"),
        ("Nous utilisons des cookies pour améliorer votre expérience.", "web furniture"),
        ("Crédit photo : Marie Lefèvre", "photo credit"),
    ],
    "es": [
        ("Te puede interesar", "label"),
        ("Lee también «El puerto de Vigo amplía su muelle»", "cross-reference"),
        ("Suscríbete a nuestro boletín", "web furniture"),
        ("Síguenos en Twitter", "web furniture"),
        ("Compartir en Facebook", "web furniture"),
        ("Recibe nuestro boletín cada mañana", "web furniture"),
        ("Utilizamos cookies para mejorar su experiencia.", "web furniture"),
        ("Imagen: Carmen Ruiz", "photo credit"),
    ],
    "it": [
        ("Continua a leggere", "label"),
        ("Iscriviti alla newsletter", "web furniture"),
        ("Seguici su Facebook", "web furniture"),
        ("Condividi su WhatsApp", "web furniture"),
        ("Abbonati ora a partire da un euro", "web furniture"),
        ("Utilizziamo i cookie per migliorare la tua esperienza.", "web furniture"),
        ("Foto di Luca Bianchi", "photo credit"),
    ],
    "nl": [
        ("Meer over dit onderwerp", "label"),
        ("Abonneer je op onze nieuwsbrief", "web furniture"),
        ("Schrijf je in voor de nieuwsbrief", "web furniture"),
        ("Volg ons op Twitter", "web furniture"),
        ("Deel op Facebook", "web furniture"),
        ("Wij gebruiken cookies om je ervaring te verbeteren.", "web furniture"),
        ("Beeld: Jan de Vries", "photo credit"),
    ],
}

# News prose with the same words: a paper's subscription numbers, a quoted appeal, a question,
# a sentence that opens like a label, a noun that is also an imperative.
PROSE = {
    "de": [
        "Die Zeitung hat im vergangenen Jahr 12.000 neue Abonnenten gewonnen, und ihr "
        "Newsletter erreicht inzwischen jeden Morgen 40.000 Leser.",
        "»Lesen Sie die Verträge genau, bevor Sie unterschreiben«, riet der Anwalt den Mietern.",
        "Mehr zum Thema Datenschutz will die Ministerin im Herbst vorlegen.",
        "Folgen Sie der Linie der Partei?",
        "Jetzt abonnieren mehr Leser die digitale Ausgabe als die gedruckte.",
        "Die Verbraucherzentrale rät: Lesen Sie das Kleingedruckte, bevor Sie unterschreiben.",
        "Folgen für unsere Stadt hat der Streit nicht, sagte der Bürgermeister.",
        # an interview's answers, addressed to the interviewer
        "In den Akten lesen Sie auf jeder Seite, wie die Stadt geplant hat.",
        "In Berlin sehen Sie auf jeder Straße Baustellen.",
        "Hier ist nichts mehr zu lesen.",
    ],
    "fr": [
        "Le quotidien a gagné 12 000 abonnés l'an dernier, et sa newsletter est lue chaque matin "
        "par 40 000 personnes.",
        "« Abonnez-vous, c'est le seul moyen de nous aider », a lancé le directeur aux lecteurs.",
        "Lire aussi les archives de la ville permet de comprendre le conflit, dit l'historienne.",
        "Partager le coût avec la région n'a pas été facile, a reconnu le maire.",
        "Les cookies déposés par les sites de presse sont dans le viseur de la CNIL depuis 2020.",
    ],
    "es": [
        "El diario ganó 12.000 suscriptores el año pasado y su boletín llega cada mañana a "
        "40.000 lectores.",
        "Leer más libros ayuda a los niños a escribir mejor, según un estudio de la universidad.",
        "«Suscríbete y apoya el periodismo local», pidió la directora en la presentación.",
        "Lee Jae-myung también dijo que la reforma llegará antes del verano.",
        "¿Compartir en Facebook las fotos de los niños es peligroso?",
    ],
    "it": [
        "Il quotidiano ha guadagnato 12.000 abbonati l'anno scorso e la sua newsletter raggiunge "
        "ogni mattina 40.000 lettori.",
        "Abbonati in calo per i quotidiani locali, secondo i dati diffusi ieri.",
        "Leggi elettorali e riforme costituzionali saranno discusse in aula la prossima settimana.",
        "«Iscriviti alla newsletter», dice la pubblicità del giornale, ma pochi lo fanno.",
        "Continua a leggere i giornali ogni mattina, racconta il pensionato.",
    ],
    "nl": [
        "De krant won vorig jaar 12.000 abonnees en haar nieuwsbrief bereikt elke ochtend "
        "40.000 lezers.",
        "Deel van onze stad ligt onder de zeespiegel, zei de burgemeester.",
        "Lees meer boeken, adviseert de bibliotheek ouders van jonge kinderen.",
        "„Abonneer je op onze nieuwsbrief”, staat er op de folder van de partij.",
    ],
}


def _article(lang: str, *between: str) -> CleanArticle:
    """The story with `between` standing between its second and third paragraphs."""
    first, second, third = BODY[lang]
    paras = [TITLE[lang], first, second, *between, third]
    return clean_article("\n\n".join(paras), "txt")


@pytest.mark.parametrize(
    ("lang", "line", "reason"),
    [(lang, line, reason) for lang, lines in FURNITURE.items() for line, reason in lines],
)
def test_furniture_line_is_removed_with_its_reason(lang: str, line: str, reason: str) -> None:
    article = _article(lang, line)
    assert article.text.split("\n\n") == BODY[lang]
    assert [(r.text, r.reason) for r in article.removed] == [(line, reason)]


@pytest.mark.parametrize(
    ("lang", "sentence"), [(lang, s) for lang, sentences in PROSE.items() for s in sentences]
)
def test_lookalike_prose_is_kept(lang: str, sentence: str) -> None:
    article = _article(lang, sentence)
    first, second, third = BODY[lang]
    assert article.text.split("\n\n") == [first, second, sentence, third]
    assert article.removed == ()


@pytest.mark.parametrize("lang", sorted(BODY))
def test_a_page_of_furniture_around_the_story(lang: str) -> None:
    # every line at once, around and inside the story: the body is the story and the prose
    lines = [line for line, _ in FURNITURE[lang]]
    half = len(lines) // 2
    first, second, third = BODY[lang]
    raw = [TITLE[lang], *lines[:half], first, *PROSE[lang], second, *lines[half:], third]
    article = clean_article("\n\n".join(raw), "txt")
    assert article.title == TITLE[lang]
    assert article.text.split("\n\n") == [first, *PROSE[lang], second, third]
    assert sorted(r.text for r in article.removed) == sorted(lines)
