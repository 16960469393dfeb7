"""The words the ingest assistant reads by, in English and French: months, weekdays, titles,
instrument kinds, the words that make a name an organisation, a mission or an event, and the
countries with the adjectives that point to them."""

import re
import unicodedata

MONTHS = {
    "en": [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
WEEKDAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}
# Seasons as the months they span (the northern hemisphere's, as the releases use them).
SEASONS = {
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "winter": (12, 2),
    "printemps": (3, 5),
    "été": (6, 8),
    "automne": (9, 11),
    "hiver": (12, 2),
}

# The words most common in each language: the language is the one whose words the text uses.
STOPWORDS = {
    "en": {
        *("the", "and", "of", "to", "in", "a", "is", "with", "for", "on", "that", "by", "this"),
        *("its", "at", "from", "as", "was", "are", "has", "have", "be", "an", "which", "their"),
        *("will", "were", "been", "it", "our", "we"),
    },
    "fr": {
        *("le", "la", "les", "et", "des", "du", "de", "un", "une", "en", "est", "avec", "pour"),
        *("sur", "par", "dans", "au", "aux", "qui", "que", "ce", "cette", "ses", "son", "sa"),
        *("ont", "a", "été", "sont", "nous", "leur"),
    },
}

# The commonest words of languages the assistant does not read, that share letters and short
# words with French or English: a text that uses them more is refused rather than misread.
OTHER_STOPWORDS = {
    "es": {
        *("el", "los", "las", "y", "del", "con", "para", "por", "una", "es", "al", "lo"),
        *("como", "su", "sus", "entre", "fue", "han", "la", "de", "en", "que", "un", "a", "se"),
    },
    "it": {
        *("il", "gli", "della", "delle", "dei", "di", "che", "per", "con", "una", "nel"),
        *("nella", "sono", "è", "ha", "hanno", "tra", "la", "le", "un", "a", "e"),
    },
    "pt": {
        *("o", "os", "as", "da", "do", "das", "dos", "em", "com", "para", "uma", "um", "no"),
        *("na", "pelo", "pela", "foi", "são", "a", "de", "e", "que", "se"),
    },
    "de": {
        *("der", "die", "das", "und", "den", "dem", "des", "mit", "für", "von", "ist"),
        *("eine", "ein", "auf", "im", "zu", "wird", "sich"),
    },
}

# Theme words that say nothing of a field on their own ("Space science", "General space
# cooperation"), and the French for the English words theme names use.
GENERIC_THEME_WORDS = {
    *("space", "general", "cooperation", "exploration", "science", "sciences", "technology"),
    *("earth", "and", "services", "systems", "of", "the", "satellite", "satellites", "launch"),
}
FRENCH_THEME_WORDS = {
    "climate": ["climat"],
    "education": ["éducation", "enseignement", "formation"],
    "training": ["formation"],
    "launchers": ["lanceur"],
    "launch": ["lancement"],
    "navigation": ["navigation"],
    "oceanography": ["océanograph", "océan"],
    "telecommunications": ["télécommunication"],
    "astrophysics": ["astrophysique"],
    "astronomy": ["astronom"],
    "observation": ["observation de la terre"],
    "debris": ["débris"],
    "lunar": ["lune", "lunaire"],
    "planetary": ["planét"],
    "life": ["sciences de la vie"],
}

# Titles people hold, longest first so that "Vice Rector" wins over "Rector".
TITLES = {
    "en": [
        "Chief Executive Officer",
        "Associate Administrator",
        "Deputy Administrator",
        "Chairman and CEO",
        "Chairman & CEO",
        "Director General",
        "Director-General",
        "Deputy Director General",
        "Secretary General",
        "Secretary-General",
        "Deputy Director",
        "Vice President",
        "Vice-President",
        "Vice Rector",
        "Vice-Rector",
        "Vice Chairman",
        "Prime Minister",
        "Press Officer",
        "Press contact",
        "Administrator",
        "Commissioner",
        "Ambassador",
        "Chairwoman",
        "Chairman",
        "President",
        "Director",
        "Minister",
        "Secretary",
        "Governor",
        "Chancellor",
        "Rector",
        "Chair",
        "Head",
        "Chief",
        "CEO",
    ],
    "fr": [
        "Président-directeur général",
        "Présidente-directrice générale",
        "Directeur général délégué",
        "Directrice générale",
        "Directeur général",
        "Secrétaire général",
        "Premier ministre",
        "Première ministre",
        "Attachée de presse",
        "Attaché de presse",
        "Contact presse",
        "Vice-président",
        "Vice-présidente",
        "Vice-recteur",
        "Administrateur",
        "Administratrice",
        "Ambassadrice",
        "Ambassadeur",
        "Présidente",
        "Président",
        "Directrice",
        "Directeur",
        "Ministre",
        "Recteur",
        "Rectrice",
        "Chef",
        "PDG",
    ],
}
# Forms of address that come before a name but are not the title a person holds.
HONORIFICS = [
    "Assoc. Prof.",
    "Associate Professor",
    "Professor",
    "Professeur",
    "Professeure",
    "Prof.",
    "Dr.",
    "Dr",
    "Mr.",
    "Mr",
    "Mrs.",
    "Mrs",
    "Ms.",
    "Ms",
    "Sir",
    "Madame",
    "Monsieur",
    "Mme",
    "M.",
]

# An instrument's kind from the words used (the Agreement model's codes), most specific first.
INSTRUMENTS = [
    (
        "extension",
        r"documents? extending|extension of|extending|renewal of|prolongation|avenant|"
        r"prorogation|prolongeant",
    ),
    (
        "letter_of_intent",
        r"letters? of intent|declarations? of intent|lettres? d['’]intention|"
        r"déclarations? d['’]intention",
    ),
    (
        "memorandum",
        r"memorand(?:um|a) of understanding|memorand(?:um|a)|MoUs?\b|MOUs?\b|"
        r"protocoles? d['’]accord|mémorandums? d['’](?:accord|entente)",
    ),
    ("framework", r"framework agreements?|accords?[- ]cadres?"),
    (
        "implementing",
        r"(?:specific|implementing) (?:agreements?|arrangements?)|"
        r"agreements? (?:on|for) implementing|agreements? to implement|"
        r"accords? (?:d['’]application|spécifiques?|de mise en œuvre)|"
        r"arrangements? (?:d['’]application|spécifiques?)",
    ),
    (
        "intergovernmental",
        r"intergovernmental agreements?|inter-governmental agreements?|"
        r"accords? intergouvernementa(?:l|ux)",
    ),
    (
        "interagency",
        r"inter-agency agreements?|interagency agreements?|"
        r"accords? inter-?agences?",
    ),
    ("roadmap", r"road ?maps?|feuilles? de route"),
    (
        "founding",
        r"founding (?:document|charter|act)s?|charters?|chartes?|"
        r"documents? fondateurs?|actes? fondateurs?",
    ),
    ("partnership", r"partnership agreements?|accords? de partenariat"),
    ("joint_statement", r"joint (?:statement|declaration)s?|déclarations? conjointes?"),
    (
        "other",
        r"agreements?|accords?|conventions?|arrangements?|treat(?:y|ies)|traités?|"
        r"contracts?|contrats?|protocols?",
    ),
]
# Codes the Agreement model does not have are stored as the nearest it does.
KIND_FALLBACK = {"joint_statement": "other"}

# Words that make a capitalised name an organisation, a mission, or an event, with a kind.
AGENCY_WORDS = [
    (
        "space_agency",
        r"Space Agency|Space Administration|Aerospace Exploration Agency|"
        r"Agence spatiale|Space Research Organi[sz]ation",
    ),
    ("intergovernmental", r"European|Organi[sz]ation for|United Nations|Nations unies"),
    ("university", r"University|Université|Universidad|College|École|School"),
    ("laboratory", r"Laborator(?:y|ies)|Laboratoire|Lab\b"),
    (
        "research_institute",
        r"Institute|Institut|Academy|Académie|Research Centre|Research Center|"
        r"Centre national|Center for|Centre for|Observatoire de|Council|Conseil",
    ),
    (
        "government_office",
        r"Ministry|Ministère|Office|Administration|Department|Bureau|"
        r"Agency|Agence|Commission|Direction",
    ),
    ("government", r"Government|Gouvernement"),
    ("company", r"\b(?:SA|SAS|Ltd|Inc|GmbH|Corporation|Company|Group|Industries)\b"),
]
MISSION_WORDS = [
    (
        "ground_system",
        r"Space Cent(?:re|er)|Spaceport|Cosmodrome|Launch (?:Cent(?:re|er)|Site)|"
        r"Centre spatial|ground segment|ground station",
    ),
    ("station", r"Space Station|Station spatiale"),
    ("programme", r"Observatory|Observatoire|Programme|Program|Initiative"),
    ("navigation_system", r"navigation system|Navigation System"),
    ("laboratory", r"laboratory called|laboratoire appelé"),
    ("launcher", r"launchers?|launch vehicles?|lanceurs?|rockets?|fusées?"),
    ("probe", r"probes?|sondes?|mission to (?:the Moon|Mars|Mercury|Venus|Jupiter)"),
    (
        "satellite",
        r"satellites?|missions?|spacecraft|telescopes?|télescopes?|constellations?|"
        r"projects?|projets?|experiments?",
    ),
]
EVENT_WORDS = [
    ("summit", r"Summit|Sommet"),
    ("show", r"Show|Salon|Fair|Expo|Exhibition"),
    ("forum", r"Forum|Conference|Conférence|Congress|Congrès|Symposium|Days|Journées|Workshop"),
    ("committee", r"committee|comité|Committee|Comité|sub-group|dialogue"),
]

# Countries the releases name: (ISO code, names in English and French, the adjectives).
COUNTRIES = [
    ("FR", ["France"], ["French", "français", "française", "franco"]),
    (
        "CN",
        ["People’s Republic of China", "People's Republic of China", "China", "Chine"],
        ["Chinese", "chinois", "chinoise", "sino"],
    ),
    ("JP", ["Japan", "Japon"], ["Japanese", "japonais", "japonaise", "nippo"]),
    (
        "KR",
        ["South Korea", "Republic of Korea", "Korea", "Corée du Sud", "Corée"],
        ["South Korean", "Korean", "coréen", "coréenne"],
    ),
    (
        "VN",
        ["Vietnam", "Viet Nam", "Viêt Nam", "Viêt-Nam"],
        ["Vietnamese", "vietnamien", "vietnamienne"],
    ),
    ("IN", ["India", "Inde"], ["Indian", "indien", "indienne", "indo"]),
    ("US", ["United States", "USA", "États-Unis"], ["American", "américain", "américaine"]),
    ("RU", ["Russia", "Russian Federation", "Russie"], ["Russian", "russe"]),
    ("DE", ["Germany", "Allemagne"], ["German", "allemand", "allemande"]),
    ("IT", ["Italy", "Italie"], ["Italian", "italien", "italienne"]),
    ("GB", ["United Kingdom", "Royaume-Uni"], ["British", "britannique"]),
    ("ES", ["Spain", "Espagne"], ["Spanish", "espagnol", "espagnole"]),
    ("BR", ["Brazil", "Brésil"], ["Brazilian", "brésilien", "brésilienne"]),
    ("CA", ["Canada"], ["Canadian", "canadien", "canadienne"]),
    ("AU", ["Australia", "Australie"], ["Australian", "australien", "australienne"]),
    ("MX", ["Mexico", "Mexique"], ["Mexican", "mexicain", "mexicaine"]),
    ("AR", ["Argentina", "Argentine"], ["Argentine", "Argentinian", "argentin"]),
    ("IL", ["Israel", "Israël"], ["Israeli", "israélien", "israélienne"]),
    ("AE", ["United Arab Emirates", "Émirats arabes unis"], ["Emirati", "émirien", "émirienne"]),
    ("SA", ["Saudi Arabia", "Arabie saoudite"], ["Saudi", "saoudien", "saoudienne"]),
    ("EG", ["Egypt", "Égypte"], ["Egyptian", "égyptien", "égyptienne"]),
    ("MA", ["Morocco", "Maroc"], ["Moroccan", "marocain", "marocaine"]),
    ("DZ", ["Algeria", "Algérie"], ["Algerian", "algérien", "algérienne"]),
    ("TN", ["Tunisia", "Tunisie"], ["Tunisian", "tunisien", "tunisienne"]),
    ("SN", ["Senegal", "Sénégal"], ["Senegalese", "sénégalais", "sénégalaise"]),
    ("ZA", ["South Africa", "Afrique du Sud"], ["South African", "sud-africain"]),
    ("NG", ["Nigeria", "Nigéria"], ["Nigerian", "nigérian", "nigériane"]),
    ("KE", ["Kenya"], ["Kenyan", "kényan", "kényane"]),
    ("ID", ["Indonesia", "Indonésie"], ["Indonesian", "indonésien", "indonésienne"]),
    ("TH", ["Thailand", "Thaïlande"], ["Thai", "thaïlandais", "thaïlandaise"]),
    ("SG", ["Singapore", "Singapour"], ["Singaporean", "singapourien"]),
    ("MY", ["Malaysia", "Malaisie"], ["Malaysian", "malaisien", "malaisienne"]),
    ("PH", ["Philippines"], ["Filipino", "Philippine", "philippin", "philippine"]),
    ("KZ", ["Kazakhstan"], ["Kazakh", "kazakh", "kazakhe"]),
    ("UA", ["Ukraine"], ["Ukrainian", "ukrainien", "ukrainienne"]),
    ("BE", ["Belgium", "Belgique"], ["Belgian", "belge"]),
    ("NL", ["Netherlands", "Pays-Bas"], ["Dutch", "néerlandais", "néerlandaise"]),
    ("LU", ["Luxembourg"], ["Luxembourgish", "luxembourgeois", "luxembourgeoise"]),
    ("CH", ["Switzerland", "Suisse"], ["Swiss", "suisse"]),
    ("SE", ["Sweden", "Suède"], ["Swedish", "suédois", "suédoise"]),
    ("NO", ["Norway", "Norvège"], ["Norwegian", "norvégien", "norvégienne"]),
    ("PL", ["Poland", "Pologne"], ["Polish", "polonais", "polonaise"]),
    ("PT", ["Portugal"], ["Portuguese", "portugais", "portugaise"]),
    ("GR", ["Greece", "Grèce"], ["Greek", "grec", "grecque"]),
    ("TR", ["Turkey", "Türkiye", "Turquie"], ["Turkish", "turc", "turque"]),
    ("NZ", ["New Zealand", "Nouvelle-Zélande"], ["New Zealand", "néo-zélandais"]),
    ("PE", ["Peru", "Pérou"], ["Peruvian", "péruvien", "péruvienne"]),
    ("CL", ["Chile", "Chili"], ["Chilean", "chilien", "chilienne"]),
    ("CO", ["Colombia", "Colombie"], ["Colombian", "colombien", "colombienne"]),
    ("BO", ["Bolivia", "Bolivie"], ["Bolivian", "bolivien", "bolivienne"]),
]


def fold(text):
    """Lower case without accents or typographic quotes: how names are compared."""
    text = text.replace("’", "'").replace("–", "-").replace("—", "-")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def alternation(words):
    """A regular expression matching any of these words (longest first)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
