"""Report a mistake: a reader's form on every record and source page (CSRF, a honeypot, a limit
per address), the curators' queue in the admin; nothing a reader writes is shown to readers."""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from cooperation.models import Agreement, Report, ReportStatus, Source
from tests.conftest import change_url

pytestmark = pytest.mark.django_db

AGREEMENT = "cnes-usth-mou-2015"


@pytest.fixture(autouse=True)
def fresh_limits():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def form_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_every_record_and_source_page_links_to_the_report_form(client, loaded):
    for path in (
        f"/en/agreements/{AGREEMENT}/",
        "/en/agencies/cnes/",
        "/en/countries/VN/",
        "/en/people/jean-yves-le-gall/",
        "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/",
        "/en/themes/climate/",
    ):
        html = client.get(path).content.decode()
        link = re.search(r'<a href="([^"]+)" rel="nofollow">Report a mistake on this page', html)
        assert link, path
        form = form_of(client, link.group(1).replace("&amp;", "&"))
        assert 'name="csrfmiddlewaretoken"' in form and 'name="problem"' in form, path
    about = client.get("/en/about/").content.decode()
    assert 'href="/en/report/"' in about


def test_a_report_is_stored_with_its_record_and_the_reader_is_thanked(client, loaded):
    url = f"/en/report/?record=agreement.{AGREEMENT}"
    response = client.post(
        url,
        {"problem": "The year is 2016, not 2015.", "correction": "2016", "email": "a@example.org"},
    )
    assert response.status_code == 302 and "/en/report/thanks/" in response["Location"]
    thanks = client.get(response["Location"]).content.decode()
    assert "Your report is with the curators" in thanks
    assert f'href="/en/agreements/{AGREEMENT}/"' in thanks
    report = Report.objects.get()
    assert report.record == Agreement.objects.get(slug=AGREEMENT)
    assert report.status == ReportStatus.NEW and report.email == "a@example.org"
    assert report.page == f"/en/agreements/{AGREEMENT}/" and report.language == "en"
    # Never shown to readers: not on the record's page, not in its API answer.
    for path in (f"/en/agreements/{AGREEMENT}/", f"/api/v1/agreements/{AGREEMENT}/"):
        assert "The year is 2016" not in client.get(path).content.decode()


def test_a_form_with_a_mistake_keeps_what_was_typed_and_says_what_is_wrong(client, loaded):
    url = f"/en/report/?record=agreement.{AGREEMENT}"
    response = client.post(url, {"problem": "", "correction": "Keep me", "email": "not an address"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html and "Enter a valid email address." in html
    assert "Keep me" in html and 'value="not an address"' in html
    assert not Report.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, loaded):
    response = client.post(
        f"/en/report/?record=agreement.{AGREEMENT}",
        {"problem": "Buy cheap pills", "website": "http://spam.example"},
    )
    assert response.status_code == 302
    assert not Report.objects.exists()
    form = form_of(client, "/en/report/")
    assert 'class="honeypot" aria-hidden="true"' in form and 'tabindex="-1"' in form


def test_the_form_refuses_a_post_without_its_csrf_token(loaded):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/report/", {"problem": "Something"})
    assert response.status_code == 403 and not Report.objects.exists()


def test_a_report_on_nothing_is_a_404_and_a_general_report_is_kept(client, loaded):
    assert client.get("/en/report/?record=agreement.no-such").status_code == 404
    assert client.get("/en/report/?record=planet.mars").status_code == 404
    assert client.post("/en/report/", {"problem": "The about page is unclear."}).status_code == 302
    assert Report.objects.get().record is None


def test_a_flood_from_one_address_stores_at_most_the_limit_and_answers_429(
    client, loaded, settings
):
    settings.READER_REPORTS_PER_HOUR = 10
    url = f"/en/report/?record=source.{Source.objects.first().slug}"
    statuses = [
        client.post(url, {"problem": f"Flood {n}"}, REMOTE_ADDR="198.51.100.9").status_code
        for n in range(200)
    ]
    assert statuses.count(302) == 10 and statuses.count(429) == 190
    assert Report.objects.count() == 10
    refused = client.post(url, {"problem": "One more"}, REMOTE_ADDR="198.51.100.9")
    assert "Too many reports from this address" in refused.content.decode()
    other = client.post(url, {"problem": "From elsewhere"}, REMOTE_ADDR="203.0.113.4")
    assert other.status_code == 302  # another reader is not refused


def test_curators_see_new_reports_on_the_admin_index_and_work_through_them(curator, loaded):
    agreement = Agreement.objects.get(slug=AGREEMENT)
    Report.objects.create(record=agreement, record_label=str(agreement), problem="Wrong year")
    Report.objects.create(problem="Typo on the about page")
    index = curator.get(reverse("admin:index")).content.decode()
    assert "2 new reports from readers" in index
    queue = curator.get(reverse("admin:cooperation_report_changelist") + "?status__exact=new")
    html = queue.content.decode()
    assert "Wrong year" in html and f'href="{change_url(agreement)}"' in html
    report = Report.objects.get(problem="Wrong year")
    response = curator.post(
        reverse("admin:cooperation_report_changelist"),
        {"action": "mark_fixed", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED
    assert "1 new report from readers" in curator.get(reverse("admin:index")).content.decode()
    assert curator.get(reverse("admin:cooperation_report_add")).status_code == 403
