"""A record described in schema.org terms (JSON-LD), for search engines and citation tools."""

from .dates import iso_dates
from .models import Agency, AgencyKind, Agreement, Person

GOVERNMENTAL = {AgencyKind.GOVERNMENT, AgencyKind.GOVERNMENT_OFFICE, AgencyKind.SPACE_AGENCY}


def describe(record, absolute):
    """The record as a JSON-LD dict, or None for kinds of record schema.org says little of.
    `absolute(path)` makes an address absolute."""
    if isinstance(record, Agreement):
        return _agreement(record, absolute)
    if isinstance(record, Agency):
        return {"@context": "https://schema.org", **_organisation(record, absolute)}
    if isinstance(record, Person):
        return _person(record, absolute)
    return None


def _organisation(agency, absolute):
    data = {
        "@type": "GovernmentOrganization" if agency.kind in GOVERNMENTAL else "Organization",
        "name": agency.name,
        "url": absolute(agency.get_absolute_url()),
    }
    if agency.acronym and agency.acronym != agency.name:
        data["alternateName"] = agency.acronym
    if agency.country:
        data["location"] = {"@type": "Country", "name": agency.country.name}
    return data


def _agreement(agreement, absolute):
    start, _ = iso_dates(*(getattr(agreement, name) for name in Agreement.date_part_names))
    sources = {quote.source.pk: quote.source for quote in agreement.quotes.all()}
    data = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": agreement.local_title,
        "url": absolute(agreement.get_absolute_url()),
        "legislationType": agreement.get_kind_display(),
        "legislationPassedBy": [_organisation(p, absolute) for p in agreement.parties.all()],
        "legislationJurisdiction": [
            {"@type": "Country", "name": country.name} for country in _countries_of(agreement)
        ],
        "about": [theme.local_name for theme in agreement.themes.all()],
        "isBasedOn": [
            {
                "@type": "CreativeWork",
                "name": source.title,
                "url": absolute(source.get_absolute_url()),
            }
            for source in sources.values()
        ],
    }
    if start:
        data["legislationDate"] = start
    if agreement.summary:
        data["description"] = agreement.local_summary
    return data


def _countries_of(agreement):
    """Its parties' countries and the countries it concerns (what `countries` derives), from
    what its page has read already."""
    countries = {party.country for party in agreement.parties.all() if party.country}
    countries |= set(agreement.countries_concerned.all())
    return sorted(countries, key=lambda country: country.name)


def _person(person, absolute):
    return {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": person.name,
        "url": absolute(person.get_absolute_url()),
        "jobTitle": sorted({str(role) for role in person.roles.all()}),
    }
