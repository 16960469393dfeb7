"""The data model: what the database refuses to hold, and how records present themselves."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cooperation.models import Agreement, Country, Mission, Source
from tests.conftest import make_agency, make_agreement, make_country, make_source

pytestmark = pytest.mark.django_db


def refused(create):
    """True if the database refuses the write (and the test's transaction stays usable)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_a_country_code_is_unique():
    make_country("FR", "France")
    assert refused(lambda: make_country("FR", "République française"))


def test_a_country_code_is_two_capital_letters():
    assert refused(lambda: make_country("fr", "France"))
    assert refused(lambda: make_country("F1", "France"))
    assert not refused(lambda: make_country("VN", "Vietnam"))


def test_slugs_are_unique():
    make_agency("cnes")
    assert refused(lambda: make_agency("cnes", name="Another"))


@pytest.mark.parametrize(
    "date",
    [
        {"date_precision": "day", "year": 2018, "month": 11},  # a day precision without a day
        {"date_precision": "day", "year": 2018, "day": 2},  # … or without a month
        {"date_precision": "month", "year": 2019, "month": 3, "day": 5},  # more than a month
        {"date_precision": "month", "year": 2019},  # a month precision without a month
        {"date_precision": "year"},  # a year precision without a year
        {"date_precision": "year", "year": 2016, "end_year": 2017},  # an end on a single date
        {"date_precision": "unknown", "year": 2016},  # an unknown date with a year
        {"date_precision": "range", "year": 2023},  # a range without an end
        {"date_precision": "range", "year": 2024, "end_year": 2023},  # ending before it starts
        {"date_precision": "range", "year": 2018, "end_year": 2018},  # a year, not a range
        {"date_precision": "range", "year": 2019, "month": 3, "end_year": 2019, "end_month": 3},
        {
            "date_precision": "range",
            "year": 2019,
            "month": 3,
            "day": 2,
            "end_year": 2019,
            "end_month": 3,
            "end_day": 2,
        },
        {
            "date_precision": "range",
            "year": 2018,
            "month": 11,
            "day": 4,
            "end_year": 2018,
            "end_month": 11,
            "end_day": 2,
        },
        {"date_precision": "range", "year": 2018, "month": 11, "end_year": 2019},  # mixed parts
        {"date_precision": "year", "year": 2018, "date_is_inferred": True},  # inferred, no reason
        {"date_precision": "year", "year": 2018, "date_inference": "From a weekday."},  # not ticked
    ],
)
def test_the_database_refuses_a_date_that_does_not_match_its_precision(date):
    fields = {"year": None, **date}
    assert refused(lambda: make_agreement(**fields))


@pytest.mark.parametrize(
    "date",
    [
        {"date_precision": "day", "year": 2018, "month": 1, "day": 9},
        {"date_precision": "month", "year": 2019, "month": 3},
        {"date_precision": "year", "year": 2016},
        {"date_precision": "unknown", "year": None},
        {
            "date_precision": "range",
            "year": 2018,
            "month": 11,
            "day": 2,
            "end_year": 2018,
            "end_month": 11,
            "end_day": 4,
        },
        {"date_precision": "range", "year": 2023, "end_year": 2024},
        {
            "date_precision": "year",
            "year": 2018,
            "date_is_inferred": True,
            "date_inference": "From the visit.",
        },
    ],
)
def test_the_database_accepts_every_honest_date(date):
    assert not refused(lambda: make_agreement(**date))


def test_an_agreement_cannot_end_before_it_is_signed():
    assert refused(lambda: make_agreement(year=2018, valid_until_year=2017))
    assert not refused(lambda: make_agreement(slug="roadmap", year=2013, valid_until_year=2018))


def test_clean_explains_a_date_in_words():
    agreement = Agreement(slug="a", title="A", kind="framework", status="signed")
    agreement.date_precision, agreement.year, agreement.month = "day", 2018, 11
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "A day date needs a year, a month and a day" in str(error.value)

    agreement.day = 31
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "November 2018 has no day 31" in str(error.value)


@pytest.mark.parametrize(("month", "day"), [(13, 1), (0, 1), (2, 30), (None, 5)])
def test_clean_explains_an_impossible_date_without_crashing(month, day):
    agreement = Agreement(
        slug="a", title="A", kind="framework", status="signed", date_precision="day"
    )
    agreement.year, agreement.month, agreement.day = 2018, month, day
    with pytest.raises(ValidationError):
        agreement.full_clean()


def test_clean_refuses_an_inferred_date_without_its_reasoning():
    agreement = Agreement(
        slug="a", title="A", kind="framework", status="signed", date_precision="year", year=2018
    )
    agreement.date_is_inferred = True
    with pytest.raises(ValidationError, match="Say how an inferred date was inferred"):
        agreement.full_clean()


def test_clean_refuses_an_invalid_choice():
    agreement = Agreement(slug="a", title="A", kind="treaty-of-sorts", status="signed")
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "kind" in error.value.message_dict


@pytest.mark.parametrize(
    ("date", "shown"),
    [
        ({"date_precision": "day", "year": 2018, "month": 1, "day": 9}, "9 January 2018"),
        ({"date_precision": "month", "year": 2019, "month": 3}, "March 2019"),
        ({"date_precision": "year", "year": 2016}, "2016"),
        ({"date_precision": "unknown"}, "Date unknown"),
        (
            {
                "date_precision": "range",
                "year": 2018,
                "month": 11,
                "day": 2,
                "end_year": 2018,
                "end_month": 11,
                "end_day": 4,
            },
            "2–4 November 2018",
        ),
        (
            {
                "date_precision": "range",
                "year": 2018,
                "month": 6,
                "day": 29,
                "end_year": 2018,
                "end_month": 7,
                "end_day": 2,
            },
            "29 June – 2 July 2018",
        ),
        ({"date_precision": "range", "year": 2023, "end_year": 2024}, "2023–2024"),
        (
            {"date_precision": "range", "year": 2018, "month": 3, "end_year": 2018, "end_month": 5},
            "March–May 2018",
        ),
    ],
)
def test_a_date_is_shown_as_written(date, shown):
    assert Mission(**date).date_display == shown


def test_records_are_found_by_their_natural_key():
    france = make_country("FR", "France")
    source = make_source("cnes-2013-10-japan")
    assert Country.objects.get_by_natural_key("FR") == france
    assert Source.objects.get_by_natural_key("cnes-2013-10-japan") == source
    assert france.natural_key() == ("FR",)


def test_every_record_has_a_page(client):
    france = make_country("FR", "France")
    cnes = make_agency("cnes", name="Centre national d’études spatiales", country=france)
    agreement = make_agreement(title="A framework agreement")
    agreement.parties.add(cnes)
    for record, shown in (
        (france, "France"),
        (cnes, "Centre national d’études spatiales"),
        (agreement, "A framework agreement"),
    ):
        response = client.get(record.get_absolute_url())
        assert response.status_code == 200
        assert f"<h1>{shown}" in response.content.decode()


def test_the_lists_orders_and_an_agreements_links_have_their_indexes():
    """The order indexes are written per database (migration 0011): a later migration that
    rebuilds the table (SQLite does, to alter a field) must not lose them."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = set(connection.introspection.get_constraints(cursor, "cooperation_agreement"))
    expected = {"cooperation_agreement_newest", "cooperation_agreement_by_title"}
    assert expected | {"agreement_extends", "agreement_implements"} <= indexes
