"""The curator's side of the ingest assistant, through the admin as a curator meets it: "Add a
press release", the review page, accepting (records made through the same validation, with
their quotes, then exported like any other) and rejecting (remembered when read again)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cooperation.models import Agency, Agreement, Person, PressRelease, Proposal, Quote, Source

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
RELEASES = Path(__file__).parent / "releases"
ADD = "admin:cooperation_pressrelease_add"


def review_url(release):
    return reverse("admin:cooperation_pressrelease_change", args=[release.pk])


def add_release(client, path, **fields):
    response = client.post(
        reverse(ADD),
        {"text": path.read_text(encoding="utf-8"), "publisher": "CNES", **fields},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PressRelease.objects.get()


def proposal(release, kind, label):
    for found in release.proposals.filter(kind=kind):
        if found.label == label:
            return found
    raise AssertionError(f"no {kind} {label!r}: {[p.label for p in release.proposals.all()]}")


def decide(client, release, found, action, **edits):
    return client.post(
        review_url(release), {"proposal": found.pk, "action": action, **edits}, follow=True
    )


def test_adding_a_release_shows_its_proposals_for_review_and_publishes_nothing(curator, loaded):
    sources = Source.objects.count()
    response = curator.post(
        reverse(ADD),
        {"text": (RELEASES / "en-cnes-isro.txt").read_text(), "publisher": "CNES"},
        follow=True,
    )
    release = PressRelease.objects.get()
    assert response.redirect_chain[-1][0] == review_url(release)
    page = response.content.decode()
    assert "proposals to review" in page
    assert "Indian Space Research Organisation" in page
    assert "CNES–ISRO framework agreement" in page
    # Every proposed quote is marked in the text, and each proposal links to its passage.
    first = release.proposals.filter(kind="agency").exclude(data__existing="cnes").first()
    assert f'<mark class="quote" id="q{first.pk}-0">' in page or f'id="q{first.pk}-0"' in page
    assert f'href="#q{first.pk}-0"' in page
    # Nothing reaches readers before a curator accepts it.
    assert Source.objects.count() == sources
    assert not Agency.objects.filter(acronym="ISRO").exists()
    assert curator.get("/en/agencies/isro/").status_code == 404


def test_the_review_page_marks_matches_and_new_records(curator, loaded):
    release = add_release(curator, SEEDS / "001_aedd22790c6f1e83.txt")
    page = curator.get(review_url(release)).content.decode()
    cnsa = Agency.objects.get(slug="cnsa")
    assert (
        f'matches <a href="{reverse("admin:cooperation_agency_change", args=[cnsa.pk])}">cnsa</a>'
        in page
    )
    assert "new to the catalogue" not in page.split("Agencies")[1].split("People")[0]


def test_accepting_makes_the_records_with_their_quotes(curator, loaded):
    release = add_release(curator, RELEASES / "en-cnes-isro.txt")
    isro = proposal(release, "agency", "Indian Space Research Organisation")
    response = decide(
        curator,
        release,
        isro,
        "accept",
        name="Indian Space Research Organisation",
        acronym="ISRO",
        country="IN",
        kind="space_agency",
    )
    assert "Accepted: agency" in response.content.decode()
    agency = Agency.objects.get(acronym="ISRO")
    assert (agency.country.code, agency.kind) == ("IN", "space_agency")
    source = PressRelease.objects.get().source
    assert source is not None and source.text == release.text
    [quote] = Quote.objects.filter(agency=agency)
    assert quote.source == source and quote.text in " ".join(source.text.split())

    kumar = proposal(release, "person", "Rajesh Kumar")
    decide(curator, release, kumar, "accept")
    person = Person.objects.get(name="Rajesh Kumar")
    assert [(r.title, r.agency.acronym) for r in person.roles.all()] == [("Chairman", "ISRO")]

    framework = proposal(release, "agreement", "CNES–ISRO framework agreement")
    decide(curator, release, framework, "accept", title="CNES–ISRO framework agreement of 2015")
    agreement = Agreement.objects.get(title="CNES–ISRO framework agreement of 2015")
    assert sorted(a.acronym for a in agreement.parties.all()) == ["CNES", "ISRO"]
    assert (agreement.kind, agreement.year, agreement.date_precision) == ("framework", 2015, "year")
    assert agreement.quotes.get().anchor
    # Readers see it now, on its page and in the country's list.
    assert curator.get(agreement.get_absolute_url()).status_code == 200
    assert (
        "CNES–ISRO framework agreement of 2015" in curator.get("/en/countries/IN/").content.decode()
    )


def test_a_party_must_be_accepted_before_its_agreement(curator, loaded):
    release = add_release(curator, RELEASES / "en-cnes-isro.txt")
    framework = proposal(release, "agreement", "CNES–ISRO framework agreement")
    response = decide(curator, release, framework, "accept")
    assert "Accept the agency “ISRO” first" in response.content.decode()
    framework.refresh_from_db()
    assert framework.decision == "pending"
    assert not Agreement.objects.filter(title__startswith="CNES–ISRO").exists()
    assert release.source is None and not Source.objects.filter(title=release.title).exists()


def test_an_invalid_edit_is_refused_with_the_reason_and_nothing_is_written(curator, loaded):
    release = add_release(curator, RELEASES / "en-cnes-isro.txt")
    isro = proposal(release, "agency", "Indian Space Research Organisation")
    response = decide(curator, release, isro, "accept", kind="not-a-kind")
    assert "was not accepted" in response.content.decode()
    assert not Agency.objects.filter(acronym="ISRO").exists()
    assert Source.objects.filter(title=release.title).count() == 0


def test_a_rejected_proposal_stays_rejected_when_the_release_is_read_again(curator, loaded):
    release = add_release(curator, RELEASES / "en-cnes-isro.txt")
    nrsc = proposal(release, "agency", "National Remote Sensing Centre")
    decide(curator, release, nrsc, "reject")
    curator.post(review_url(release), {"action": "reread"})
    assert release.proposals.filter(kind="agency", key=nrsc.key).count() == 1
    nrsc.refresh_from_db()
    assert nrsc.decision == "rejected"
    assert not Agency.objects.filter(acronym="NRSC").exists()


def test_accepted_records_are_exported_like_any_other(curator, loaded):
    release = add_release(curator, RELEASES / "en-cnes-isro.txt")
    decide(
        curator,
        release,
        proposal(release, "agency", "Indian Space Research Organisation"),
        "accept",
    )
    call_command("export_fixtures", verbosity=0)
    agencies = json.loads((Path(settings.FIXTURES_DIR) / "agencies.json").read_text())
    [isro] = [a for a in agencies if a["slug"] == "isro"]
    assert isro["quotes"][0]["source"] == PressRelease.objects.get().source.slug
    sources = json.loads((Path(settings.FIXTURES_DIR) / "sources.json").read_text())
    assert release.title in {s["title"] for s in sources}
    # … and the files load back unchanged.
    call_command("reload_fixtures", verbosity=0)
    assert Agency.objects.get(slug="isro").quotes.count() == 1


def test_an_uploaded_pdf_or_html_file_is_read(curator, loaded):
    html = (
        b"<html><body><article><h1>CNES and ISRO sign a letter of intent</h1>"
        b"<p>Paris, 14 March 2024</p><p>On Tuesday 12 March, CNES Chairman Paul Durand and "
        b"Rajesh Kumar, Chairman of the Indian Space Research Organisation (ISRO), signed a letter "
        b"of intent on climate monitoring from space, in Bengaluru, for the coming years.</p>"
        b"</article></body></html>"
    )
    response = curator.post(
        reverse(ADD),
        {
            "upload": SimpleUploadedFile("release.html", html, content_type="text/html"),
            "publisher": "CNES",
        },
    )
    assert response.status_code == 302
    release = PressRelease.objects.get()
    assert release.file_name == "release.html"
    assert "<h1>" not in release.text
    assert proposal(
        release, "agreement", "CNES–ISRO letter of intent on climate monitoring from space"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Paste the release&#x27;s text or upload its file."),
        ({"upload": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 broken")}, "The PDF cannot be read"),
        ({"upload": SimpleUploadedFile("x.bin", bytes(range(256)) * 8)}, "binary data"),
        (
            {
                "text": "Der Vertrag wurde von den beiden Agenturen unterzeichnet und wird die "
                "Zusammenarbeit bei der Erdbeobachtung stärken."
            },
            "neither English nor French",
        ),
    ],
    ids=["nothing", "broken pdf", "binary", "german"],
)
def test_a_release_that_cannot_be_read_is_refused_on_the_form(curator, loaded, fields, message):
    response = curator.post(reverse(ADD), {"publisher": "CNES", **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PressRelease.objects.count() == 0 and Proposal.objects.count() == 0


def test_the_review_page_costs_a_constant_number_of_queries(
    curator, loaded, django_assert_max_num_queries
):
    release = add_release(curator, SEEDS / "000_4bf1062968127631.txt")
    with django_assert_max_num_queries(16):
        response = curator.get(review_url(release))
    assert response.status_code == 200


def test_readers_cannot_reach_the_desk(client, loaded):
    assert client.get(reverse(ADD)).status_code == 302  # to the admin's login


def test_an_agreement_needs_a_theme_as_in_the_admin(curator, loaded):
    release = add_release(curator, RELEASES / "en-cnes-isro.txt")
    decide(
        curator,
        release,
        proposal(release, "agency", "Indian Space Research Organisation"),
        "accept",
    )
    framework = proposal(release, "agreement", "CNES–ISRO framework agreement")
    assert framework.data["themes"] == ["general-space-cooperation"]
    response = decide(curator, release, framework, "accept", themes="")
    assert "Give the agreement at least one theme" in response.content.decode()
    decide(curator, release, framework, "accept", themes="climate\neducation")
    agreement = Agreement.objects.get(title="CNES–ISRO framework agreement")
    assert sorted(agreement.themes.values_list("slug", flat=True)) == ["climate", "education"]
