"""The glossary of the Convention's terms (article6/locale/glossary.csv) is whole and says
what its sources say: translations will be checked against it, so a gap or a wrong form here
would pass wrong translations."""

import csv
import re
from pathlib import Path

import pytest

GLOSSARY = Path(__file__).resolve().parent.parent / "article6" / "locale" / "glossary.csv"
LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh_Hans"]
COLUMNS = ["term", *LANGUAGES, "article", "source", "note"]

# Forms read in the authentic texts (see article6/locale/GLOSSARY.md for where).
AUTHENTIC_FORMS = [
    ("state_party", "en", "State Party"),
    ("state_party", "fr", "État partie"),
    ("state_party", "es", "Estado Parte"),
    ("state_party", "ar", "دولة طرف"),
    ("state_party", "ru", "государство-участник"),
    ("state_party", "zh_Hans", "缔约国"),
    ("states_parties", "fr", "États parties"),
    ("states_parties", "es", "Estados Parte"),
    ("states_parties", "ru", "государства-участники"),
    ("cluster_munitions", "fr", "armes à sous-munitions"),
    ("cluster_munitions", "es", "municiones en racimo"),
    ("cluster_munitions", "ar", "الذخائر العنقودية"),
    ("cluster_munitions", "ru", "кассетные боеприпасы"),
    ("cluster_munitions", "zh_Hans", "集束弹药"),
    ("cluster_munition_remnants", "fr", "restes d'armes à sous-munitions"),
    ("cluster_munition_remnants", "es", "restos de municiones en racimo"),
    ("cluster_munition_remnants", "ru", "взрывоопасные остатки кассетных боеприпасов"),
    ("cluster_munition_remnants", "zh_Hans", "遗留集束弹药"),
    ("cluster_munition_victims", "fr", "victimes d'armes à sous-munitions"),
    ("cluster_munition_victims", "es", "víctimas de municiones en racimo"),
    ("cluster_munition_victims", "ar", "ضحايا الذخائر العنقودية"),
    ("explosive_submunition", "fr", "sous-munition explosive"),
    ("victim_assistance", "fr", "assistance aux victimes"),
    ("victim_assistance", "es", "asistencia a las víctimas"),
    ("risk_reduction_education", "fr", "éducation à la réduction des risques"),
    ("risk_reduction_education", "es", "educación sobre reducción de riesgos"),
    ("transparency_measures", "fr", "mesures de transparence"),
    ("transparency_measures", "ru", "меры транспарентности"),
    ("national_implementation_measures", "fr", "mesures d'application nationales"),
    ("national_implementation_measures", "es", "medidas de implementación a nivel nacional"),
    ("international_cooperation_and_assistance", "fr", "coopération et assistance internationales"),
    ("international_cooperation_and_assistance", "es", "cooperación y asistencia internacional"),
    ("meeting_of_states_parties", "fr", "Assemblée des États parties"),
    ("review_conference", "fr", "Conférence d'examen"),
    ("entry_into_force", "es", "entrada en vigor"),
]


def read_glossary():
    with GLOSSARY.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def languages_after(label, source):
    """The languages a `source` cell lists after "verified:" or "unverified:"."""
    found = re.search(rf"(?:^|\. ){label}: ([a-zA-Z_ ]+?) — ", source)
    return found.group(1).split() if found else []


def test_the_glossary_has_its_columns_and_a_row_per_term():
    columns, rows = read_glossary()

    assert columns == COLUMNS
    assert len(rows) >= 45
    terms = [row["term"] for row in rows]
    assert len(terms) == len(set(terms)), "a term is listed twice"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", term) for term in terms)


def test_every_term_has_its_six_languages():
    _, rows = read_glossary()

    missing = [(row["term"], lang) for row in rows for lang in LANGUAGES if not row[lang].strip()]
    assert missing == []
    untrimmed = [(row["term"], lang) for row in rows for lang in LANGUAGES if row[lang] != row[lang].strip()]
    assert untrimmed == []


def test_every_language_of_every_term_is_either_verified_or_marked_unverified():
    _, rows = read_glossary()

    for row in rows:
        verified = languages_after("verified", row["source"])
        unverified = languages_after("unverified", row["source"])
        assert sorted(verified + unverified) == sorted(LANGUAGES), row["term"]


@pytest.mark.parametrize(("term", "language", "form"), AUTHENTIC_FORMS)
def test_a_form_read_in_the_authentic_text_is_there_exactly_and_marked_verified(term, language, form):
    _, rows = read_glossary()
    row = next(row for row in rows if row["term"] == term)

    assert row[language] == form
    assert language in languages_after("verified", row["source"])


def test_articles_are_written_the_one_way():
    _, rows = read_glossary()

    written = [row["article"] for row in rows if row["article"]]
    assert all(re.fullmatch(r"Art\. \d+(\(\d+\))?(\([a-z]\))?(, \d+(\(\d+\))?)*", a) for a in written), written
    # Usage terms have no article: the Convention does not define them.
    usage = {row["term"]: row["article"] for row in rows}
    assert usage["country_coalition"] == usage["coordinator"] == usage["lausanne_action_plan"] == ""
