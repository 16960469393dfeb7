"""The ingest assistant as a curator's script meets it: `propose_records` on real and written
releases (English, French; text, HTML, PDF), its JSON against the documented schema, its quotes
verbatim, its dates reasoned, bad files refused, and `evaluate_ingest` meeting its targets."""

import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cooperation.ingest import Gazetteer, UnreadableDocument, propose, read_release, text_of
from cooperation.quotes import quote_occurs_in
from tests.conftest import snapshot_tables

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
RELEASES = Path(__file__).parent / "releases"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "proposals.schema.json").read_text())
KINDS = ("agencies", "people", "agreements", "missions", "events")


def propose_file(path, *args):
    out = StringIO()
    call_command("propose_records", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def release_files():
    return sorted(SEEDS.glob("*.txt")) + sorted(RELEASES.glob("*.txt"))


def named(proposals, kind):
    return {p["name"] if kind != "agreements" else p["title"]: p for p in proposals[kind]}


def agreement_with(result, *parties):
    wanted = set(parties)
    found = [a for a in result["agreements"] if set(a["parties"]) == wanted]
    assert found, f"no agreement between {parties}: {[a['parties'] for a in result['agreements']]}"
    return found


def pdf_bytes(lines=()):
    """A one-page PDF whose text layer holds these lines (none: a page with no text, as a
    scan has)."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    content = "BT /F1 11 Tf 14 TL 40 800 Td " + " ".join(f"({line}) Tj T*" for line in escaped)
    content += " ET" if lines else ""
    content = content if lines else ""
    resources = "/Resources << /Font << /F1 5 0 R >> >>" if lines else ""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R {resources} >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# The contract ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", release_files(), ids=lambda p: p.name)
def test_the_json_follows_the_documented_schema(db, path):
    result = propose_file(path)
    jsonschema.validate(result, SCHEMA)
    assert all(result[kind] for kind in ("agencies", "agreements")), "a release names something"


@pytest.mark.parametrize("path", release_files(), ids=lambda p: p.name)
def test_every_quote_is_a_verbatim_passage_the_loader_accepts(db, path):
    text = path.read_text(encoding="utf-8")
    result = propose_file(path)
    quotes = [q for kind in KINDS for p in result[kind] for q in p.get("quotes", [p["quote"]])]
    assert quotes
    assert [q for q in quotes if not quote_occurs_in(q, text)] == []


def test_it_writes_nothing(loaded):
    before = snapshot_tables()
    propose_file(SEEDS / "000_4bf1062968127631.txt")
    assert snapshot_tables() == before


def test_records_the_catalogue_holds_are_matched_by_their_slug(loaded):
    result = propose_file(SEEDS / "001_aedd22790c6f1e83.txt")
    assert named(result, "agencies")["China National Space Administration"]["existing"] == "cnsa"
    assert named(result, "people")["Zhang Kejian"]["existing"] == "zhang-kejian"
    assert named(result, "missions")["SCO"]["existing"] == "sco"
    [treaty] = [a for a in result["agreements"] if a["kind"] == "intergovernmental"]
    assert treaty["existing"] == "france-china-intergovernmental-agreement-1997"
    assert treaty["recalled"] is True


def test_against_an_empty_catalogue_everything_is_new(db):
    result = propose_file(SEEDS / "001_aedd22790c6f1e83.txt")
    assert {p["existing"] for kind in KINDS for p in result[kind]} == {None}
    assert "CNSA" in {a["acronym"] for a in result["agencies"]}


def test_the_text_format_lists_each_proposal_with_its_quote(db):
    out = StringIO()
    call_command(
        "propose_records", str(RELEASES / "en-cnes-isro.txt"), "--format", "text", stdout=out
    )
    text = out.getvalue()
    assert "Dateline: Paris, 14 March 2024 (2024-03-14)" in text
    assert (
        "CNES–ISRO framework agreement — framework, year 2015, parties: CNES, ISRO, recalled"
        in text
    )
    assert (
        "“The statement builds on the framework agreement signed by the two agencies in 2015.”"
        in text
    )


# Reading ------------------------------------------------------------------------------------------


def test_reads_an_english_release_it_has_never_seen(db):
    result = propose_file(RELEASES / "en-cnes-isro.txt")
    assert result["language"] == "en"
    isro = named(result, "agencies")["Indian Space Research Organisation"]
    assert (isro["acronym"], isro["country"]) == ("ISRO", "IN")
    people = named(result, "people")
    assert (people["Rajesh Kumar"]["title"], people["Rajesh Kumar"]["organisation"]) == (
        "Chairman",
        "ISRO",
    )
    assert people["Claire Petit"]["title"] == "French Ambassador to India"
    assert people["Luc Moreau"]["organisation"] == "CNES"
    kinds = {a["kind"]: a for a in agreement_with(result, "CNES", "ISRO")}
    assert set(kinds) == {"other", "framework", "implementing", "letter_of_intent"}
    # The implementing arrangement has no date of its own: it was signed on the day the release
    # reports, not in 2026, when the satellite it is for is "set to launch".
    implementing = kinds["implementing"]["date"]
    assert (implementing["start"], implementing["precision"], implementing["inferred"]) == (
        "2024-03-12",
        "day",
        True,
    )
    assert "Tuesday 12 March" in implementing["reasoning"]
    assert kinds["letter_of_intent"]["recalled"] is True
    assert kinds["framework"]["date"]["start"] == "2015"
    assert "TRISHNA" in named(result, "missions")


def test_reads_a_french_release(db):
    result = propose_file(RELEASES / "fr-cnes-aeb.txt")
    assert result["language"] == "fr"
    assert result["dateline"] == {
        "text": "Toulouse, le 18 septembre 2025",
        "date": "2025-09-18",
        "place": "Toulouse",
    }
    aeb = named(result, "agencies")["Agence spatiale brésilienne"]
    assert (aeb["acronym"], aeb["country"], aeb["kind"]) == ("AEB", "BR", "space_agency")
    assert (
        named(result, "agencies")["Institut national de recherches spatiales"]["acronym"] == "INPE"
    )
    people = named(result, "people")
    assert (people["Marco Silva"]["title"], people["Marco Silva"]["organisation"]) == (
        "président",
        "AEB",
    )
    assert people["Marie Martin"]["title"] == "Attachée de presse"
    kinds = {a["kind"]: a for a in agreement_with(result, "CNES", "AEB")}
    assert set(kinds) == {"framework", "memorandum", "letter_of_intent"}
    assert kinds["framework"]["date"]["start"] == "2025-09-15"
    assert kinds["framework"]["recalled"] is False
    # "en mars", in a release of September told in the past: March of the same year.
    assert (kinds["letter_of_intent"]["date"]["start"], kinds["letter_of_intent"]["recalled"]) == (
        "2025-03",
        True,
    )
    assert kinds["memorandum"]["date"]["start"] == "2019"
    assert "AMAZONIA-2" in named(result, "missions")
    assert "Salon du Bourget" in named(result, "events")


def propose_text(text, **options):
    return propose(text, Gazetteer(), **options)


def test_a_weekday_that_does_not_fit_the_calendar_is_flagged():
    result = propose_text(
        "Paris, 30 June 2018\n\nOn Tuesday 25 June in Beijing, CNES President Jean Martin and "
        "Li Wei, Administrator of the China National Space Administration (CNSA), signed a "
        "framework agreement on space science."
    )
    [agreement] = result["agreements"]
    assert agreement["date"]["start"] == "2018-06-25"
    assert "was a Monday: check the date" in agreement["date"]["flag"]


def test_an_undated_release_is_dated_by_its_weekdays():
    result = propose_text(
        "CNES President Jean Martin was in Japan on Wednesday 4 July to meet Aiko Sato, President "
        "of the Japan Aerospace Exploration Agency (JAXA), ten years after their first framework "
        "agreement of 2008. The two agencies signed a letter of intent on lunar exploration."
    )
    assert result["dateline"] is None
    assert result["reference_date"]["date"] == "2012-07-04"
    assert result["reference_date"]["stated"] is False
    letter = next(a for a in result["agreements"] if a["kind"] == "letter_of_intent")
    assert letter["date"]["start"] == "2012-07-04"
    assert letter["date"]["inferred"] is True


@pytest.mark.parametrize(
    ("sentence", "start", "precision"),
    [
        ("CNES and JAXA signed a memorandum of understanding in March.", "2019-03", "month"),
        ("CNES and JAXA signed a memorandum of understanding last April.", "2019-04", "month"),
        ("CNES and JAXA will sign a memorandum of understanding this autumn.", "2019-09", "range"),
        (
            "CNES and JAXA signed a memorandum of understanding on 9 January this year.",
            "2019-01-09",
            "day",
        ),
        ("CNES and JAXA will sign a memorandum of understanding on 2 July.", "2019-07-02", "day"),
        ("CNES and JAXA signed a memorandum of understanding in 2016.", "2016", "year"),
        # 5 June 2019 was a Wednesday.
        ("CNES and JAXA signed a memorandum of understanding on Monday.", "2019-06-03", "day"),
        ("CNES and JAXA will sign a memorandum of understanding next Friday.", "2019-06-07", "day"),
        ("Le CNES et la JAXA ont signé lundi dernier un protocole d’accord.", "2019-06-03", "day"),
    ],
)
def test_dates_are_read_against_the_dateline(sentence, start, precision):
    result = propose_text(f"Paris, 5 June 2019\n\n{sentence}", source_date=None)
    [agreement] = result["agreements"]
    assert (agreement["date"]["start"], agreement["date"]["precision"]) == (start, precision)
    assert agreement["date"]["reasoning"] or precision == "year"


def test_the_source_date_given_replaces_a_missing_dateline(db, tmp_path):
    path = tmp_path / "release.txt"
    path.write_text("CNES and JAXA signed a memorandum of understanding in March, in Tokyo.")
    result = propose_file(path, "--source-date", "2021-06-10")
    assert result["reference_date"] == {
        "date": "2021-06-10",
        "stated": True,
        "reasoning": "the date given, 10 June 2021",
    }
    assert result["agreements"][0]["date"]["start"] == "2021-03"


def test_an_older_instrument_the_text_only_recalls():
    result = propose_text(
        "Paris, 5 June 2019\n\nCNES and ISRO signed a framework agreement on Monday 3 June, "
        "following the memoranda signed in 2004, 2007 and 2010."
    )
    by_year = {a["date"]["start"]: a for a in result["agreements"]}
    assert set(by_year) == {"2019-06-03", "2004", "2007", "2010"}
    assert [by_year[y]["recalled"] for y in ("2004", "2007", "2010")] == [True, True, True]
    assert by_year["2019-06-03"]["recalled"] is False


# Formats and bad input ----------------------------------------------------------------------------


def test_reads_the_main_text_of_an_html_page(db, tmp_path):
    page = tmp_path / "release.html"
    page.write_text(
        "<!doctype html><html><head><title>CNES</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/press'>Press</a></nav><article>"
        "<h1>CNES and ISRO sign a framework agreement</h1><p>Paris, 14 March 2024</p>"
        "<p>On Tuesday 12 March in Bengaluru, CNES Chairman Paul Durand and Rajesh Kumar, "
        "Chairman of the Indian Space Research Organisation (ISRO), signed a framework agreement "
        "on climate monitoring from space. The agreement extends the cooperation of the two "
        "agencies to the TRISHNA satellite, and to new joint work on the oceans.</p></article>"
        "<footer>© CNES — Legal notice</footer></body></html>",
        encoding="utf-8",
    )
    result = propose_file(page)
    [agreement] = agreement_with(result, "CNES", "ISRO")
    assert agreement["date"]["start"] == "2024-03-12"
    assert "Legal notice" not in json.dumps(result)


def test_reads_the_text_layer_of_a_pdf(db, tmp_path):
    path = tmp_path / "release.pdf"
    path.write_bytes(
        pdf_bytes(
            [
                "Paris, 14 March 2024",
                "",
                "On Tuesday 12 March in Bengaluru, CNES Chairman Paul Durand and Rajesh Kumar,",
                "Chairman of the Indian Space Research Organisation (ISRO), signed a framework",
                "agreement on climate monitoring from space.",
            ]
        )
    )
    result = propose_file(path)
    [agreement] = agreement_with(result, "CNES", "ISRO")
    assert agreement["kind"] == "framework"
    assert quote_occurs_in(agreement["quote"], text_of(path.read_bytes()))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"   \n\n  ", "The file is empty"),
        (bytes(range(256)) * 64, "The file is not text, HTML or PDF"),
        (b"CNES signed. " * 900_000, "a press release is a few kilobytes"),
        (pdf_bytes(), "The PDF has no text layer"),
        (b"%PDF-1.4 not really a pdf", "The PDF cannot be read"),
        (
            "Die Raumfahrtagentur hat mit der Universität eine Vereinbarung über die Zusammenarbeit "
            "unterzeichnet, und die beiden Partner werden gemeinsam an einem neuen Satelliten "
            "arbeiten.".encode(),
            "neither English nor French",
        ),
        (
            "La Agencia Espacial Española y el CNES firmaron un acuerdo marco para la "
            "cooperación en la observación de la Tierra, que permitirá a los dos socios "
            "trabajar juntos.".encode(),
            "neither English nor French",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "10 MB",
        "pdf without text",
        "broken pdf",
        "german",
        "spanish",
    ],
)
def test_a_file_that_is_not_a_release_gets_a_clear_message_and_nothing_is_written(
    loaded, tmp_path, content, message
):
    path = tmp_path / "release.bin"
    path.write_bytes(content)
    before = snapshot_tables()
    with pytest.raises(CommandError, match=message):
        call_command("propose_records", str(path), stdout=StringIO())
    assert snapshot_tables() == before


def test_a_missing_file_and_a_wrong_date_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("propose_records", str(tmp_path / "nothing.txt"), stdout=StringIO())
    path = tmp_path / "release.txt"
    path.write_text("CNES and JAXA signed a framework agreement in 2016.")
    with pytest.raises(CommandError, match="--source-date must be a date"):
        call_command("propose_records", str(path), "--source-date", "June 2019", stdout=StringIO())


def test_a_forced_language_reads_a_text_the_guess_would_refuse():
    with pytest.raises(UnreadableDocument):
        read_release(b"CNES JAXA 2016.", gazetteer=Gazetteer())
    result = read_release(b"CNES JAXA 2016.", gazetteer=Gazetteer(), language="en")
    assert result["language"] == "en"


# The measurement ----------------------------------------------------------------------------------


def test_evaluate_ingest_meets_the_targets_on_the_seeds():
    out = StringIO()
    call_command("evaluate_ingest", "--check", stdout=out)
    report = out.getvalue()
    assert "leave-one-out" in report and "empty catalogue" in report
    assert "Every target of issue #14 is met." in report


@pytest.mark.parametrize(
    ("text", "dateline", "place"),
    [
        (
            "CNES and NASA sign a letter of intent\n\nWASHINGTON, 21 October 2021 – On Wednesday "
            "20 October, CNES President Paul Martin and Bill Nelson, Administrator of the "
            "National Aeronautics and Space Administration (NASA), signed a letter of intent on "
            "Mars exploration.",
            "2021-10-21",
            "WASHINGTON",
        ),
        (
            "Toulouse, le 5 juin 2019 — Le président du CNES, Jean Dupont, et Marco Silva, "
            "président de l’Agence spatiale brésilienne (AEB), ont signé le lundi 3 juin un "
            "accord-cadre sur l’observation de la Terre.",
            "2019-06-05",
            "Toulouse",
        ),
    ],
    ids=["english", "french"],
)
def test_a_dateline_that_opens_the_first_paragraph(text, dateline, place):
    result = propose_text(text)
    assert (result["dateline"]["date"], result["dateline"]["place"]) == (dateline, place)
    [agreement] = result["agreements"]
    assert len(agreement["parties"]) == 2 and agreement["parties"][0] == "CNES"
    assert agreement["date"]["start"] == {"2021-10-21": "2021-10-20"}.get(dateline, "2019-06-03")


def test_reads_a_french_release_with_offices_visits_and_what_is_to_come(db):
    result = propose_file(RELEASES / "fr-cnes-isro-vols-habites.txt")
    agencies = named(result, "agencies")
    assert agencies["Indian Space Research Organisation"]["acronym"] == "ISRO"
    assert (
        agencies["Agence spatiale allemande"]["acronym"],
        agencies["Agence spatiale allemande"]["country"],
    ) == ("DLR", "DE")
    assert "République en Inde" not in agencies
    assert named(result, "people")["Claire Moreau"]["title"] == (
        "ministre de l’Enseignement supérieur"
    )
    by_kind = {a["kind"]: a for a in result["agreements"]}
    cooperation = by_kind["other"]
    assert cooperation["title"] == "CNES–ISRO accord de coopération sur la médecine spatiale"
    assert cooperation["date"]["start"] == "2020-02-11"
    # "la déclaration d’intention signée en mars 2018": recalled, and no party named.
    assert (
        by_kind["letter_of_intent"]["date"]["start"],
        by_kind["letter_of_intent"]["recalled"],
        by_kind["letter_of_intent"]["parties"],
    ) == ("2018-03", True, [])
    # "signeront en juin": to come, in June of the release's year.
    assert (
        by_kind["memorandum"]["status"],
        by_kind["memorandum"]["date"]["start"],
        by_kind["memorandum"]["parties"],
    ) == ("planned", "2020-06", ["CNES", "DLR"])
    assert "Visite d’État du président de la République en Inde" in named(result, "events")


def test_reads_a_release_whose_signature_is_dated_in_the_next_sentence(db):
    result = propose_file(RELEASES / "en-cnes-nasa-swot.txt")
    agencies = named(result, "agencies")
    assert {"CNES", "NASA", "Canadian Space Agency", "UK Space Agency"} <= set(agencies)
    people = named(result, "people")
    assert (people["Laura Chen"]["title"], people["Laura Chen"]["organisation"]) == (
        "Associate Administrator",
        "NASA",
    )
    assert people["Anne Roux"]["title"] == "Press Officer"
    by_kind = {a["kind"]: a for a in result["agreements"]}
    extension = by_kind["extension"]
    assert extension["title"] == "CNES–NASA extension of their memorandum of understanding"
    # Not the satellite's launch date of the same sentence: the signature the next one dates.
    assert (extension["date"]["start"], extension["recalled"]) == ("2023-12-01", False)
    assert "The document was signed on Friday 1 December" in " ".join(extension["quotes"])
    # "The partners had already concluded …": those of the instrument just named.
    assert by_kind["framework"]["parties"] == ["CNES", "NASA"]
    assert (by_kind["implementing"]["date"]["start"], by_kind["implementing"]["recalled"]) == (
        "2018",
        True,
    )
    # "In accordance with the Paris Agreement": a named instrument only cited, not proposed.
    assert not [a for a in result["agreements"] if "Paris" in a["title"] or not a["parties"]]
    assert (by_kind["letter_of_intent"]["status"], by_kind["letter_of_intent"]["parties"]) == (
        "planned",
        ["CNES", "CSA"],
    )


def test_the_sentence_after_an_instrument_gives_its_parties_and_its_day():
    result = propose_text(
        "Paris, 3 February 2022\n\nA memorandum of understanding on the exploration of Mars was "
        "concluded this week. The agreement was signed on Wednesday 2 February in Cologne by "
        "CNES and the German Aerospace Center (DLR)."
    )
    [memorandum] = [a for a in result["agreements"] if a["kind"] == "memorandum"]
    assert memorandum["parties"] == ["CNES", "DLR"]
    # "this week", then its day: 2 February, not an instrument of weeks before.
    assert (memorandum["date"]["start"], memorandum["date"]["precision"]) == ("2022-02-02", "day")
    assert memorandum["recalled"] is False
    assert len(memorandum["quotes"]) == 2
