"""The curators' admin: who may get in, what they may do, and what the forms refuse."""

import re
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation.derived import refresh_deferred
from cooperation.fixture_files import SPECS, unexported_changes
from cooperation.models import Agreement, Person
from tests.conftest import change_url, changed_lines, form_data, make_agreement, post_change

pytestmark = pytest.mark.django_db

SCO = "cnes-cnsa-sco-implementing-agreement-2018"


def errors_of(response):
    form_errors = (
        response.context["adminform"].form.errors.as_text() if response.status_code == 200 else ""
    )
    inline_errors = (
        " ".join(
            str(f.errors)
            for inline in response.context["inline_admin_formsets"]
            for f in inline.formset.forms
        )
        if response.status_code == 200
        else ""
    )
    return f"{form_errors} {inline_errors}"


# Who may get in


def test_a_curator_is_staff_in_the_curators_group_and_not_a_superuser(curator):
    user = get_user_model().objects.get(username="camille")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Curators"]


def test_a_curator_can_change_and_add_agreements_but_not_open_the_user_admin(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    response = post_change(curator, agreement, title="A corrected title")
    assert response.status_code == 302, errors_of(response)
    assert Agreement.objects.get(slug=SCO).title == "A corrected title"

    page = curator.get(reverse("admin:cooperation_agreement_add"))
    assert page.status_code == 200
    data = form_data(page)
    data.update(
        slug="new-agreement",
        title="A new agreement",
        kind="memorandum",
        status="signed",
        date_precision="year",
        year="2020",
        themes=[str(agreement.themes.first().pk)],
        parties=[str(p.pk) for p in agreement.parties.all()],
    )
    response = curator.post(reverse("admin:cooperation_agreement_add"), data)
    assert response.status_code == 302, errors_of(response)
    assert Agreement.objects.filter(slug="new-agreement").exists()

    assert curator.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert (
        curator.get(reverse("admin:cooperation_agreement_delete", args=[agreement.pk])).status_code
        == 403
    )


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:cooperation_agreement_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_user_who_is_not_staff_cannot_get_in(client):
    get_user_model().objects.create_user("reader", password="a-long-reader-passphrase")
    client.post(
        reverse("admin:login"), {"username": "reader", "password": "a-long-reader-passphrase"}
    )
    response = client.get(reverse("admin:cooperation_agreement_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_every_change_is_in_the_record_s_history_with_who_and_what(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    post_change(curator, agreement, title="A corrected title", place="Beijing, China")
    entry = LogEntry.objects.get(object_id=str(agreement.pk))
    assert entry.user.username == "camille"
    assert "Title" in entry.get_change_message() and "Place" in entry.get_change_message()
    history = curator.get(reverse("admin:cooperation_agreement_history", args=[agreement.pk]))
    assert "camille" in history.content.decode()


# What the forms refuse


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": ""}, "A day date needs a year, a month and a day"),
        (
            {"date_precision": "range", "end_year": "2018", "end_month": "6", "end_day": "20"},
            "the end after the start",
        ),
        ({"month": "2", "day": "30"}, "February 2018 has no day 30"),
        ({"date_is_inferred": "on"}, "Say how an inferred date was inferred"),
        ({"themes": []}, "Give the agreement at least one theme"),
        ({"parties": [], "notes": ""}, "Name at least one party, or say in the notes why"),
        ({"kind": "treaty"}, "Select a valid choice"),
        ({"valid_until_year": "2010"}, "cannot end before the year it was signed"),
    ],
)
def test_the_agreement_form_refuses_bad_input_with_a_clear_message(
    curator, loaded, changes, message
):
    agreement = Agreement.objects.get(slug=SCO)
    response = post_change(curator, agreement, **changes)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert unexported_changes() == []  # nothing of the refused form was saved


def test_a_quote_that_is_not_in_its_source_is_refused(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    response = post_change(
        curator,
        agreement,
        **{"cooperation-quote-content_type-object_id-0-text": "CNES and NASA went to Mars."},
    )
    assert response.status_code == 200
    assert "This passage is not in the text of" in errors_of(response)


def test_an_agreement_without_parties_is_accepted_when_the_notes_say_why(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    response = post_change(curator, agreement, parties=[], notes="The document names no party.")
    assert response.status_code == 302, errors_of(response)
    assert not Agreement.objects.get(slug=SCO).parties.exists()


def test_good_input_with_a_new_verbatim_quote_is_saved(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    url = change_url(agreement)
    data = form_data(curator.get(url))
    prefix = "cooperation-quote-content_type-object_id"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    source_pk = data[f"{prefix}-0-source"]
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-source": source_pk,
            f"{prefix}-{total}-text": "The SCO’s goal is to pool climate data acquired from space",
        }
    )
    response = curator.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert agreement.quotes.count() == total + 1


def test_the_change_page_links_to_the_public_page(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    html = curator.get(change_url(agreement)).content.decode()
    assert "View on site" in html


# Finding records


def test_agreements_are_found_by_a_party_or_a_quote(curator, loaded):
    url = reverse("admin:cooperation_agreement_changelist")
    by_party = curator.get(url, {"q": "CNSA"}).content.decode()
    by_quote = curator.get(url, {"q": "revolving around the SCO"}).content.decode()
    missed = curator.get(url, {"q": "JAXA"}).content.decode()
    title = "specific agreement on implementing the Space Climate Observatory"
    assert title in by_party and title in by_quote and title not in missed


def test_the_filters_find_records_without_a_source_and_inferred_dates(curator, loaded):
    Agreement.objects.get(slug=SCO).quotes.all().delete()
    url = reverse("admin:cooperation_agreement_changelist")
    unsourced = curator.get(url, {"sourced": "no"}).content.decode()
    assert "specific agreement on implementing" in unsourced
    assert "1 agreement" in unsourced or "1 result" in unsourced
    inferred = curator.get(url, {"date_is_inferred__exact": "1"})
    assert (
        len(inferred.context["cl"].result_list)
        == Agreement.objects.filter(date_is_inferred=True).count()
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.model._meta.model_name)
def test_every_catalogue_model_has_a_changelist_a_change_form_and_an_add_form(
    admin_client, loaded, spec
):
    opts = spec.model._meta
    record = spec.model.objects.first()
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    assert len(changelist.context["cl"].result_list) == spec.model.objects.count()
    assert admin_client.get(change_url(record)).status_code == 200
    assert (
        admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
        == 200
    )


def test_a_person_s_roles_and_quotes_are_edited_under_them(admin_client, loaded):
    html = admin_client.get(change_url(Person.objects.get(slug="zhang-kejian"))).content.decode()
    assert "Administrator" in html
    assert "the new Administrator of the China National Space Administration" in html


# Query counts


def make_one(model, n, france):
    """One record of this model, numbered n."""
    from cooperation.models import Agency, Country, Event, Mission, Source, Theme

    if model == "agreement":
        return make_agreement(slug=f"a-{n}", title=f"A {n}")
    if model == "agency":
        return Agency.objects.create(slug=f"g-{n}", name=f"G {n}", kind="company", country=france)
    if model == "person":
        return Person.objects.create(slug=f"p-{n}", name=f"P {n}")
    if model == "mission":
        return Mission.objects.create(
            slug=f"m-{n}", name=f"M {n}", kind="satellite", status="planned"
        )
    if model == "event":
        return Event.objects.create(slug=f"e-{n}", name=f"E {n}", kind="meeting", country=france)
    if model == "theme":
        return Theme.objects.create(slug=f"t-{n}", name=f"T {n}", description=".")
    if model == "country":
        return Country.objects.get_or_create(
            code=chr(65 + n // 26) + chr(65 + n % 26), defaults={"name": f"C {n}"}
        )[0]
    return Source.objects.create(slug=f"s-{n}", title=f"S {n}", publisher="CNES", text="CNES.")


def grow(model, count, start):
    """`count` more records of this model, each linked like the curated ones."""
    from cooperation.models import Agency, Country, Quote, Source, Theme

    france = Country.objects.get_or_create(code="FR", defaults={"name": "France"})[0]
    source = Source.objects.get_or_create(
        slug="s", defaults={"title": "S", "publisher": "CNES", "text": "CNES signed."}
    )[0]
    cnes = Agency.objects.get_or_create(
        slug="cnes", defaults={"name": "CNES", "kind": "space_agency", "country": france}
    )[0]
    theme = Theme.objects.get_or_create(
        slug="climate", defaults={"name": "Climate", "description": "."}
    )[0]
    with refresh_deferred():  # one refresh of the derived data for all of them
        for n in range(start, start + count):
            record = make_one(model, n, france)
            if model == "agreement":
                record.parties.add(cnes)
                record.themes.add(theme)
            if model == "person":
                record.roles.create(title="President", agency=cnes, source=source)
            if model == "mission":
                record.partners.add(cnes)
            if model != "source":
                Quote.objects.create(record=record, source=source, text="CNES signed.")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "model", ["agreement", "agency", "person", "mission", "event", "theme", "country", "source"]
)
def test_a_changelist_runs_as_many_queries_for_60_rows_as_for_5(admin_client, model):
    url = reverse(f"admin:cooperation_{model}_changelist")
    grow(model, 5, 0)
    queries(admin_client, url)  # warm the caches (content types, session) once
    few = queries(admin_client, url)
    grow(model, 55, 5)
    assert len(admin_client.get(url).context["cl"].result_list) >= 50
    assert queries(admin_client, url) == few
    assert few <= 34  # the agreements: a facet count for each of their seven filters


# The createcurator command


def test_createcurator_refuses_a_weak_password_and_a_taken_name(db, monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "1234")
    with pytest.raises(CommandError, match="The password is refused"):
        call_command("createcurator", "weak", "--no-input", stdout=StringIO())
    monkeypatch.setenv("CURATOR_PASSWORD", "a-long-curator-passphrase")
    call_command("createcurator", "dominique", "--no-input", stdout=StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("createcurator", "dominique", "--no-input", stdout=StringIO())
    assert Group.objects.get(name="Curators").user_set.count() == 1


def test_a_username_the_user_model_refuses_is_refused(db, monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "a-long-curator-passphrase")
    for name in ("", "bad name/!", "x" * 200):
        with pytest.raises(CommandError, match="The user name or e-mail is refused"):
            call_command("createcurator", name, "--no-input", stdout=StringIO())


# Saving what the files can hold


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.model._meta.model_name)
def test_saving_a_change_form_unchanged_changes_nothing(curator, loaded, spec):
    """A browser sends text areas with CRLF line ends; the record must stay as it was."""
    record = spec.model.objects.first()
    url = change_url(record)
    data = form_data(curator.get(url))
    data = {k: (v.replace("\n", "\r\n") if isinstance(v, str) else v) for k, v in data.items()}
    response = curator.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert unexported_changes() == []


def test_a_source_text_cannot_lose_a_quoted_passage(curator, loaded):
    from cooperation.models import Source

    source = Source.objects.get(slug="cnes-2018-06-china-sco-implementing-agreement")
    text = source.text.replace("Monday 25 June in Beijing", "On 25 June in Beijing")
    response = post_change(curator, source, text=text)
    assert response.status_code == 200
    assert "would no longer be in the text" in errors_of(response)
    fixed = source.text.replace(
        "Pascale Bresson", "Pascale  Bresson"
    )  # spacing only: quotes still match
    assert post_change(curator, source, text=fixed).status_code == 302


@pytest.mark.parametrize("inline", ["quote", "role"])
def test_the_same_inline_row_twice_is_refused(curator, loaded, inline):
    person = Person.objects.get(slug="zhang-kejian")
    url = change_url(person)
    data = form_data(curator.get(url))
    prefix = "roles" if inline == "role" else "cooperation-quote-content_type-object_id"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    fields = ["title", "agency", "source"] if inline == "role" else ["source", "text"]
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    for name in fields:
        data[f"{prefix}-{total}-{name}"] = data[f"{prefix}-0-{name}"]
    response = curator.post(url, data)
    assert response.status_code == 200
    assert "The same row is listed twice" in response.content.decode()


def test_a_title_edited_in_the_admin_exports_as_one_changed_line(curator, loaded):
    before = (loaded / "agreements.json").read_text(encoding="utf-8").splitlines()
    post_change(curator, Agreement.objects.get(slug=SCO), title="A corrected title")
    call_command("export_fixtures", stdout=StringIO())
    after = (loaded / "agreements.json").read_text(encoding="utf-8").splitlines()
    changed = changed_lines(before, after)
    assert changed == [
        '-    "title": "CNES–CNSA specific agreement on implementing the Space Climate Observatory (SCO)",',
        '+    "title": "A corrected title",',
    ]


def test_a_quote_corrected_in_the_admin_keeps_its_anchor(curator, loaded):
    agreement = Agreement.objects.get(slug=SCO)
    first = agreement.quotes.first()  # the first inline row: the quotes' own order
    shorter = first.text[: len(first.text) // 2].rsplit(" ", 1)[0]  # still verbatim
    response = post_change(
        curator, agreement, **{"cooperation-quote-content_type-object_id-0-text": shorter}
    )
    assert response.status_code == 302, errors_of(response)
    corrected = agreement.quotes.get(pk=first.pk)
    assert corrected.text == shorter
    assert corrected.anchor == first.anchor


def test_the_admin_is_the_atlas_and_view_site_keeps_the_curators_language(curator, loaded):
    index = curator.get(reverse("admin:index")).content.decode()
    assert "Cooperation Atlas · curators" in index
    assert '<a href="/en/">View site</a>' in index
    french = curator.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'href="/fr/">Voir le site</a>' in french


def test_the_reloads_bookkeeping_is_hidden_from_curators(curator, admin_client):
    index = curator.get(reverse("admin:index")).content.decode()
    assert "Fixture snapshot" not in index and "fixturesnapshot" not in index
    assert curator.get(reverse("admin:cooperation_fixturesnapshot_changelist")).status_code == 403
    assert (
        admin_client.get(reverse("admin:cooperation_fixturesnapshot_changelist")).status_code == 200
    )


@pytest.mark.parametrize(
    ("model", "term", "found"),
    [
        ("agreement", "Hanoï", "cnes-usth-mou-2015"),
        ("agency", "hanoï", "usth"),
        ("agency", "TECHNOLÓGY", "vast"),
        ("person", "Dinh Thi", "dinh-thi-mai-thanh"),
    ],
)
def test_admin_search_folds_case_and_accents_as_the_public_search(
    curator, loaded, model, term, found
):
    response = curator.get(reverse(f"admin:cooperation_{model}_changelist"), {"q": term})
    slugs = [record.slug for record in response.context["cl"].result_list]
    assert found in slugs, (term, slugs)


def test_the_inline_quotes_heading_reads_right(curator, loaded):
    agreement = Agreement.objects.get(slug="cnes-usth-mou-2015")
    html = curator.get(change_url(agreement)).content.decode()
    assert "Quotes from the sources" in html and "Quote from a sources" not in html


def test_the_attention_page_counts_what_needs_curators_and_links_to_it(curator, loaded):
    from cooperation.models import Report

    Report.objects.create(problem="Wrong year")
    html = curator.get(reverse("admin:attention")).content.decode()
    assert "Readers&#x27; reports, new</a></th><td>1</td>" in html
    rows = dict(
        (label, int(count))
        for label, count in re.findall(
            r"<th scope=\"row\">(?:<a [^>]+>)?([^<]+)(?:</a>)?</th><td>(\d+)</td>", html
        )
    )
    unnamed = Agreement.objects.filter(parties__isnull=True).count()
    assert rows["Agreements whose parties the documents do not name"] == unnamed > 0
    inferred = Agreement.objects.filter(date_is_inferred=True).count()
    assert rows["Agreements with an inferred date"] == inferred
    link = re.search(r'<a href="([^"]+parties=none)">', html).group(1)
    listed = curator.get(link.replace("&amp;", "&")).context["cl"].result_list
    assert len(listed) == unnamed
    assert 'href="/admin/attention/"' in curator.get(reverse("admin:index")).content.decode()
