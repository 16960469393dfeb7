"""In a real browser: the filter form, links that keep filters, record and source pages, and
axe-core's accessibility rules on every kind of page. Needs Debian's Chromium and axe-core from
npm (`make browser-deps`) and Playwright (`make install`); without them these tests are skipped,
except on CI where they fail."""

import os
import shutil
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cooperation.derived import refresh_deferred
from tests.conftest import CURATOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser tests (.ci/run installs what they need)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium, or make browser-deps)")
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        missing("Playwright is not installed (make install)")
    # Playwright's sync API runs an event loop in the test thread for as long as the browser
    # lives; the tests' own ORM calls are synchronous and safe, so Django is told to allow them.
    with pytest.MonkeyPatch.context() as patch, playwright_api.sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site(chromium, live_server):
    """The live site holding the curated catalogue."""
    call_command("reload_fixtures", verbosity=0)
    return live_server.url


@pytest.fixture
def browser_page(chromium, site):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def result_slugs(page):
    hrefs = page.locator(".agreement-list .row-title a").evaluate_all(
        "links => links.map(a => a.pathname)"
    )
    return {href.strip("/").split("/")[-1] for href in hrefs}


def test_choosing_a_country_and_a_theme_filters_the_list_and_the_counts(browser_page, site):
    page = browser_page
    page.goto(f"{site}/agreements/")
    assert page.locator(".result-count").inner_text().startswith("14 agreements")
    page.get_by_role("checkbox", name="Vietnam").check()
    page.get_by_role("checkbox", name="Climate").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/agreements/?*")

    # The form's empty fields are dropped: the address is short enough to share.
    assert parse_qs(urlsplit(page.url).query) == {"country": ["VN"], "theme": ["climate"]}
    assert page.locator(".result-count").inner_text() == "2 agreements match"
    assert result_slugs(page) == {
        "cnes-vast-climate-letter-of-intent-2018",
        "lotus-laboratory-agreement-2018",
    }
    china = page.locator("label[for='f-country-CN'] .count").inner_text()
    assert china == "3"

    page.reload()
    assert page.locator(".result-count").inner_text() == "2 agreements match"
    assert page.get_by_role("checkbox", name="Vietnam").is_checked()


def test_a_page_link_keeps_the_filters(browser_page, site):
    from cooperation.models import Agency, Theme
    from tests.conftest import make_agreement

    cnes, climate = Agency.objects.get(slug="cnes"), Theme.objects.get(slug="climate")
    with refresh_deferred():  # one refresh of the derived data for all of them
        for number in range(30):
            agreement = make_agreement(
                slug=f"extra-{number}", title=f"Extra agreement {number}", year=2000
            )
            agreement.parties.add(cnes)
            agreement.themes.add(climate)

    page = browser_page
    page.goto(f"{site}/agreements/?country=FR&theme=climate&year_from=1999")
    first = result_slugs(page)
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2*")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"country": ["FR"], "theme": ["climate"], "year_from": ["1999"], "page": ["2"]}
    second = result_slugs(page)
    assert second and not (first & second)


def test_a_result_opens_its_page_and_its_quote_opens_the_source(browser_page, site):
    page = browser_page
    page.goto(f"{site}/agreements/?q=Beijing")
    page.get_by_role(
        "link",
        name="CNES–CNSA specific agreement on implementing the Space Climate Observatory (SCO)",
    ).click()
    page.wait_for_url("**/agreements/cnes-cnsa-sco-implementing-agreement-2018/")
    assert page.locator("h1").inner_text().startswith("CNES–CNSA specific agreement")

    page.get_by_role("link", name="see it in the document").first.click()
    page.wait_for_url("**/sources/cnes-2018-06-china-sco-implementing-agreement/?for=*#quote-*")
    anchor = urlsplit(page.url).fragment
    target = page.locator(f"#{anchor}")
    assert target.evaluate("node => node.tagName") == "MARK"
    assert target.is_visible()
    background = target.evaluate("node => getComputedStyle(node).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_the_charts_render_with_their_text_alternatives(browser_page, site):
    page = browser_page
    page.goto(site + "/")
    timeline = page.locator("svg.timeline")
    assert timeline.bounding_box()["width"] > 300
    assert timeline.locator("rect.bar").count() > 5
    network = page.locator("svg.network")
    assert network.locator("a.node circle").count() >= 10
    page.get_by_text("Every pair, in a table").click()
    assert page.locator(".network-chart table").is_visible()
    world = page.locator("svg.world-map")
    assert world.bounding_box()["width"] > 600
    assert world.locator("a.country").count() >= 5 and world.locator("path, circle").count() > 200
    page.get_by_text("The numbers, by country").click()
    assert page.locator(".map-chart table").is_visible()
    # Pointing at China on the map leads to its agreements.
    world.locator('a.country[data-code="CN"]').click()
    page.wait_for_url("**/agreements/?country=CN")
    assert "5 agreements match" in page.locator("#results-heading").inner_text()


def test_on_a_phone_the_whole_map_is_in_view_and_nothing_scrolls_sideways(chromium, site):
    page = chromium.new_page(viewport={"width": 375, "height": 800})
    for path in ("/en/", "/en/agreements/", "/en/countries/VN/"):
        page.goto(site + path)
        box = page.locator("svg.world-map").bounding_box()
        assert 300 < box["width"] <= 375 and box["x"] >= 0, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.close()


@pytest.mark.parametrize("path", ["/en/", "/en/agencies/cnes/", "/fr/countries/VN/"])
@pytest.mark.parametrize("width", [1280, 375])
def test_no_two_year_labels_of_a_timeline_overlap(chromium, site, path, width):
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.goto(site + path)
    boxes = page.eval_on_selector_all(
        "svg.timeline text.tick:not(.value)",
        "texts => texts.map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })",
    )
    page.close()
    assert len(boxes) >= 2, path
    boxes.sort()
    for (_, right), (left, _) in pairwise(boxes):
        assert right <= left, f"{path} at {width} px: labels overlap ({right} > {left})"


def test_a_passage_a_link_points_at_stands_out_in_every_fragment(chromium, site):
    """The longest split passage of a source (other passages overlap it, cutting it into
    fragments): opened at its anchor, every fragment is lit, below the header, and its entry in
    the list of what each passage supports too; another passage is not."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    url = site + "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/"
    page.goto(url)
    anchor = page.evaluate(
        """() => {
        const counts = {};
        for (const m of document.querySelectorAll('.source-text mark.quote'))
          for (const c of m.classList) if (c.startsWith('quote-') && c !== 'quote-overlap')
            counts[c] = (counts[c] || 0) + 1;
        return Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
      }"""
    )
    page.goto(f"{url}#{anchor}")
    lit = "rgb(255, 213, 74)"  # --mark-strong
    styles = page.eval_on_selector_all(
        f".source-text mark.{anchor}", "ms => ms.map(m => getComputedStyle(m).backgroundColor)"
    )
    assert len(styles) >= 2 and set(styles) == {lit}, styles
    entry = page.eval_on_selector(f"li.{anchor}", "li => getComputedStyle(li).backgroundColor")
    assert entry == lit
    others = page.eval_on_selector_all(
        f".source-text mark.quote:not(.{anchor})",
        "ms => ms.map(m => getComputedStyle(m).backgroundColor)",
    )
    assert others and lit not in others
    # What it supports appears beside it, and beside no other passage.
    shown = page.eval_on_selector_all(
        ".source-text .supports",
        "ss => ss.filter(s => getComputedStyle(s).display !== 'none').map(s => s.className)",
    )
    assert shown == [f"supports {anchor}"], shown
    top = page.eval_on_selector(f"#{anchor}", "m => m.getBoundingClientRect().top")
    header = page.eval_on_selector(".site-header", "h => h.getBoundingClientRect().bottom")
    assert top >= header - 1, "the passage lands below the header"
    page.close()


PAGES = [
    "/en/",
    "/en/agreements/",
    "/en/agreements/?country=VN&theme=climate",
    "/en/agreements/?year=abc&country=ZZ",
    "/en/agreements/cnes-vast-climate-letter-of-intent-2018/",
    "/en/countries/",
    "/en/countries/VN/",
    "/en/agencies/",
    "/en/agencies/cnes/",
    "/en/people/",
    "/en/people/jean-yves-le-gall/",
    "/en/missions/",
    "/en/missions/sco/",
    "/en/events/",
    "/en/events/french-pm-official-visit-vietnam-2018/",
    "/en/themes/",
    "/en/themes/climate/",
    "/en/sources/",
    "/en/sources/cnes-2018-11-vietnam-prime-minister-visit/",
    "/en/about/",
    "/en/report/?record=agreement.cnes-usth-mou-2015",
    "/en/agreements/cnes-usth-mou-2015/changes/",
    "/en/changes/",
    "/no-such-page/",
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violation_of_any_severity(chromium, site, width, language):
    if not AXE.exists():
        missing(f"axe-core is not installed at {AXE} (npm install axe-core, or make browser-deps)")
    # axe-core is injected as a script of the test's own, which the site's policy would block.
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    problems = []
    for path in PAGES:
        path = path.replace("/en/", f"/{language}/", 1)
        page.goto(site + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            nodes = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"{path}: {violation['id']} ({violation['impact']}) {nodes}")
    context.close()
    assert problems == []


def test_a_curator_edits_a_title_in_the_admin_and_readers_see_it(
    browser_page, site, curator_account
):
    page = browser_page
    page.goto(f"{site}/admin/")
    page.get_by_label("Username").fill(curator_account)
    page.get_by_label("Password").fill(CURATOR["password"])
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{site}/admin/cooperation/agreement/")
    page.locator("#searchbar").fill("revolving around the SCO")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url("**q=revolving*")
    page.get_by_role(
        "link",
        name="CNES–CNSA specific agreement on implementing the Space Climate Observatory (SCO)",
    ).click()
    page.locator("#id_title").fill("CNES–CNSA agreement on the Space Climate Observatory")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(f"{site}/agreements/cnes-cnsa-sco-implementing-agreement-2018/")
    assert page.locator("h1").inner_text() == "CNES–CNSA agreement on the Space Climate Observatory"


def test_the_content_security_policy_blocks_nothing_the_site_needs(browser_page, site):
    page = browser_page
    blocked = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
    )
    for path in PAGES:
        response = page.goto(site + path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
    get_user_model().objects.create_superuser("root", password="a-long-admin-passphrase")
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("a-long-admin-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/admin/cooperation/agreement/")
    page.locator(".action-checkbox-column input").first.check()  # the changelist's script
    assert "selected" in page.locator(".action-counter").inner_text()
    page.goto(f"{site}/admin/cooperation/agreement/add/")
    # The autocomplete widgets are drawn by the admin's scripts (select2): scripts ran.
    assert page.locator("#id_parties + .select2-container").count() == 1
    assert blocked == []


def test_a_curator_adds_a_press_release_and_accepts_what_it_proposes(
    browser_page, site, curator_account
):
    page = browser_page
    page.goto(f"{site}/admin/")
    page.get_by_label("Username").fill(curator_account)
    page.get_by_label("Password").fill(CURATOR["password"])
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{site}/admin/cooperation/pressrelease/add/")
    release = (Path(__file__).parent / "releases" / "fr-cnes-aeb.txt").read_text(encoding="utf-8")
    page.get_by_label("Paste the release's text").fill(release)
    page.get_by_label("Url").fill("https://presse.cnes.fr/example-release")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "proposals to review" in page.locator("#summary-heading").inner_text()

    # The agency first: its quote is marked in the text, and its link lands on the passage.
    agency = page.locator("article.proposal", has_text="Agence spatiale brésilienne").first
    quote_link = agency.locator("blockquote a").first
    anchor = quote_link.get_attribute("href")
    quote_link.click()
    assert page.evaluate("() => location.hash") == anchor
    assert page.locator(f"mark{anchor}").is_visible()
    agency.get_by_role("button", name="Accept").click()
    assert "Accepted: agency" in page.locator(".messagelist").inner_text()

    # A press officer the curator does not want: rejected, and it stays so when read again.
    officer = page.locator("article.proposal", has_text="Marie Martin").first
    officer.get_by_role("button", name="Reject").click()
    page.get_by_role("button", name="Read it again").click()
    assert "Rejected" in page.locator("article.proposal", has_text="Marie Martin").inner_text()

    # The framework agreement, with the curator's own title.
    framework = page.locator("article.proposal", has_text="accord-cadre sur l’observation").first
    framework.get_by_label("Title").fill("CNES–AEB framework agreement on Earth observation")
    framework.get_by_role("button", name="Accept").click()
    assert "Accepted: agreement" in page.locator(".messagelist").inner_text()

    page.goto(f"{site}/agreements/?q=Earth+observation+AEB")
    page.get_by_role("link", name="CNES–AEB framework agreement on Earth observation").click()
    assert page.locator("h1").inner_text() == "CNES–AEB framework agreement on Earth observation"
    assert "15 September 2025" in page.locator("main").inner_text()


def test_a_reader_in_french_goes_from_home_to_a_source_and_back_in_french(browser_page, site):
    page = browser_page
    page.goto(f"{site}/en/agreements/?country=VN")
    page.get_by_role("link", name="Français").click()
    assert urlsplit(page.url).path == "/fr/agreements/" and "country=VN" in page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{site}/fr/")
    page.get_by_label("Rechercher dans les accords").fill("LOTUS")
    page.get_by_role("button", name="Rechercher").click()
    assert urlsplit(page.url).path == "/fr/agreements/"
    assert "1 accord correspond" in page.locator("#results-heading").inner_text()
    page.locator(".agreement-list .row-title a").first.click()
    assert urlsplit(page.url).path.startswith("/fr/agreements/")
    assert page.get_by_role("heading", name="Ce que disent les sources").is_visible()
    page.get_by_role("link", name="le voir dans le document").first.click()
    assert urlsplit(page.url).path.startswith("/fr/sources/")
    assert page.locator(f"mark#{urlsplit(page.url).fragment}").is_visible()
    page.go_back()
    assert urlsplit(page.url).path.startswith("/fr/agreements/")
    # The bare address now opens in French: the reader chose it.
    page.goto(f"{site}/agreements/")
    assert urlsplit(page.url).path == "/fr/agreements/"


def test_a_reader_reports_a_mistake_and_a_curator_fixes_it(browser_page, site, curator_account):
    """The reader's side and the curator's: a report from an agreement's page, on the admin's
    index, the record corrected, the report marked fixed, and the correction in the record's
    public change log."""
    page = browser_page
    page.goto(f"{site}/agreements/cnes-usth-mou-2015/")
    page.get_by_role("link", name="Report a mistake on this page").click()
    page.get_by_label("What is wrong?").fill("The memorandum was signed in Hanoi, not Paris.")
    page.get_by_label("Your e-mail (optional)").fill("reader@example.org")
    page.get_by_role("button", name="Send to the curators").click()
    assert "Your report is with the curators" in page.locator("main").inner_text()

    page.goto(f"{site}/admin/")
    page.get_by_label("Username").fill(curator_account)
    page.get_by_label("Password").fill(CURATOR["password"])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="1 new report from readers").click()
    row = page.locator("#result_list tbody tr").first
    assert "signed in Hanoi" in row.inner_text()
    page.get_by_role("link", name="edit").first.click()
    page.locator("#id_notes").fill("Place checked against the release.")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    page.goto(f"{site}/admin/cooperation/report/")
    page.locator("#result_list tbody input[type=checkbox]").first.check()
    page.locator("select[name=action]").select_option("mark_fixed")
    page.get_by_role("button", name="Go").click()
    assert "1 report marked fixed." in page.locator(".messagelist").inner_text()
    page.goto(f"{site}/admin/")
    assert "No new report from readers." in page.locator("#content").inner_text()

    # The record's public change log shows the change, with its date and not its curator.
    page.goto(f"{site}/agreements/cnes-usth-mou-2015/")
    page.get_by_role("link", name="Its change log").click()
    latest = page.locator(".change-log > li").first
    assert "Place checked against the release." in latest.inner_text()
    assert latest.locator("time").get_attribute("datetime").startswith("20")
    assert curator_account not in page.locator("main").inner_text()
