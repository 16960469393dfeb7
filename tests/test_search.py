"""Free-text search: PostgreSQL full-text search and the portable fallback agree on the data."""

import pytest
from django.db import connection

from cooperation.models import Agreement
from cooperation.search import fold, search, terms
from tests.conftest import post_change

QUERIES = {
    "francois hollande": {"france-japan-roadmap-2013-2018"},  # accents folded away
    "FRANÇOIS": {"france-japan-roadmap-2013-2018"},  # case and accents
    "Dinh Thi Mai": {"cnes-usth-mou-extension-2018"},  # several words, all required
    "cnsa climate": {"cnes-cnsa-mou-2018", "cnes-cnsa-sco-implementing-agreement-2018"},
    "observ": {  # a word's beginning: observatory, Earth-observation
        "cnes-cnsa-sco-implementing-agreement-2018",
        "cnes-vast-climate-letter-of-intent-2018",
        "sco-founding-document-2019",
        "cnes-jaxa-framework-agreement",
    },
    '"space climate observatory"': {
        "cnes-cnsa-sco-implementing-agreement-2018",
        "cnes-vast-climate-letter-of-intent-2018",
        "sco-founding-document-2019",
    },
    '"climate space observatory"': set(),  # a phrase is matched in its order
    "LOTUS Vietnamese": {"lotus-laboratory-agreement-2018"},
    "peaceful uses outer space": {"france-china-intergovernmental-agreement-1997"},
    "nothing-like-this": set(),
}


def found(query, **backend):
    return set(search(Agreement.objects.all(), query, **backend).values_list("slug", flat=True))


def test_text_is_folded_to_plain_lower_case_words():
    assert fold("  Raphaël SART — Press Officer, CNES’s ") == " raphael sart press officer cnes s "
    assert terms('Le Gall "Space Climate"  ') == [("le",), ("gall",), ("space", "climate")]
    assert terms('  ""  ') == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_the_fallback_finds_what_the_documents_say(loaded, query):
    assert found(query, full_text=False) == QUERIES[query]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_postgresql_full_text_search_gives_the_same_agreements(loaded, query):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL (the suite runs there in CI)")
    assert found(query, full_text=True) == found(query, full_text=False) == QUERIES[query]


@pytest.mark.django_db
def test_postgresql_uses_the_gin_index(loaded):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL (the suite runs there in CI)")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM cooperation_agreement WHERE search_vector @@ to_tsquery('simple', 'climate:*')"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "cooperation_agreement_search_gin" in plan


@pytest.mark.django_db
def test_an_edit_in_the_admin_is_found_at_once(admin_client, loaded):
    agreement = Agreement.objects.get(slug="cnes-cnsa-sco-implementing-agreement-2018")
    assert found("zanzibar") == set()
    post_change(admin_client, agreement, summary="Now mentions Zanzibar.")
    assert found("zanzibar") == {agreement.slug}


@pytest.mark.django_db
def test_a_party_renamed_in_the_admin_is_found_under_its_new_name(admin_client, loaded):
    from cooperation.models import Agency

    assert found("zanzibar space") == set()
    post_change(admin_client, Agency.objects.get(slug="kari"), name="Zanzibar Space Institute")
    assert found("zanzibar space") == {"cnes-kari-interagency-agreement-2015"}


def test_an_agreement_created_through_the_orm_is_found_by_search(client, db):
    """Search text is kept by the model layer, not by the admin or a command: a record made in
    `manage.py shell` is found like one made anywhere else, and so are its later links."""
    from tests.conftest import make_agency, make_agreement, make_person

    agreement = make_agreement(slug="made-in-a-shell", title="A Zanzibar accord")
    assert "made-in-a-shell" in client.get("/en/agreements/?q=zanzibar").content.decode()
    agreement.parties.add(make_agency(slug="isro", acronym="ISRO", name="Indian agency"))
    agreement.signatories.add(make_person(slug="someone", name="Quillon Vantard"))
    assert "made-in-a-shell" in client.get("/en/agreements/?q=isro").content.decode()
    assert "made-in-a-shell" in client.get("/en/agreements/?q=vantard").content.decode()
    agency = agreement.parties.get()
    agency.name = "Indian Space Research Organisation"
    agency.save()
    assert "made-in-a-shell" in client.get("/en/agreements/?q=research").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["!!!", "🚀", "*", "— …"])
def test_a_query_with_nothing_to_search_for_is_a_notice_not_every_row(client, loaded, query):
    from urllib.parse import quote

    html = client.get(f"/en/agreements/?q={quote(query)}").content.decode()
    assert "nothing to search for" in html
    assert "agreements match" not in html  # the catalogue is not presented as matches
    export = client.get(f"/en/agreements/?q={quote(query)}&format=csv")
    assert export.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("Đinh", "cnes-usth-mou-extension-2018"),
        ("dinh", "cnes-usth-mou-extension-2018"),
        ("HANOÏ", "cnes-usth-mou-2015"),
    ],
)
def test_folding_knows_letters_beyond_accents(client, loaded, query, slug):
    assert slug in found(query)


def test_letters_of_other_scripts_are_words_of_their_own():
    assert fold("Straße cœur Łódź Đà Nẵng") == " strasse coeur lodz da nang "
    assert terms("中国 航天") == [("中国",), ("航天",)]
    assert terms("!!! 🚀") == []


# One list of queries, run the same way on both databases (tests/test_search.py on SQLite and
# on PostgreSQL in CI; on PostgreSQL, its full-text index against the rule SQLite runs).
PARITY = [
    "climate",
    "climatique",  # French: its stem "climat" begins "climate"
    "satellites",
    "spatiale",
    "Chine",
    "Japon",
    "agreements",
    "memorandum",
    "cooperation",
    "Hanoï",
    "Đinh",
    "FRANÇOIS",
    "obs",  # a beginning
    '"space climate"',
    '"climate space"',
    "CNES, CNSA!",  # punctuation
    "l'espace",
    "中国",  # another script: a word of its own, in no document
    "peaceful uses",
    "KSLV-2",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", PARITY)
def test_both_databases_run_one_search_rule(loaded, query):
    portable = found(query, full_text=False)
    if connection.vendor == "postgresql":
        assert found(query, full_text=True) == portable
    assert found(query) == portable


@pytest.mark.django_db
def test_stems_find_other_forms_in_either_language(loaded):
    climate = found("climate")
    assert len(climate) >= 5
    assert found("climatique") >= climate
    assert found("Chine") >= {"cnes-cnsa-mou-2018", "france-china-intergovernmental-agreement-1997"}
    assert found("agreements") >= found("agreement")
    assert found("中国") == set()
