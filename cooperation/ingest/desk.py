"""The curator's side of the ingest assistant: a release read into proposals kept for review,
and a proposal accepted into real records (through the same validation as hand-made ones) or
rejected and remembered."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from ..history import changes_made_by
from ..models import (
    Agency,
    Agreement,
    Country,
    Decision,
    Event,
    Mission,
    Person,
    PressRelease,
    Proposal,
    Quote,
    Role,
    Source,
    Theme,
)
from ..quotes import quote_occurs_in
from .documents import language_of
from .gazetteer import Gazetteer
from .proposals import propose
from .vocabulary import COUNTRIES, fold

KINDS = {
    "agencies": "agency",
    "people": "person",
    "agreements": "agreement",
    "missions": "mission",
    "events": "event",
}
MODELS = {
    "agency": Agency,
    "person": Person,
    "agreement": Agreement,
    "mission": Mission,
    "event": Event,
}


class NotAccepted(Exception):
    """A proposal that cannot become a record yet; the message says what to do first."""


def read_into_proposals(release):
    """Propose the release's records again, against today's catalogue: new proposals are
    added, those still waiting are refreshed, and decided ones (accepted or rejected) are kept
    as they are. Returns the number of proposals waiting for a decision."""
    language = release.language or language_of(release.text) or "en"
    result = propose(
        release.text, Gazetteer.from_database(), language=language, source_date=release.published_on
    )
    release.dateline = result["dateline"]
    release.save(update_fields=["dateline"])
    decided = {(p.kind, p.key): p for p in release.proposals.all()}
    position = 0
    for plural, kind in KINDS.items():
        for data in result[plural]:
            position += 1
            key = data["key"][:120]
            known = decided.get((kind, key))
            if known is None:
                Proposal.objects.create(
                    release=release, kind=kind, key=key, data=data, position=position
                )
            elif known.decision == Decision.PENDING:
                known.data, known.position = data, position
                known.save(update_fields=["data", "position"])
    return release.proposals.filter(decision=Decision.PENDING).count()


def reject(proposal, user=None):
    proposal.decision = Decision.REJECTED
    proposal.decided_at, proposal.decided_by = timezone.now(), user
    proposal.save(update_fields=["decision", "decided_at", "decided_by"])


@transaction.atomic
def accept(proposal, edits=None, user=None):
    """Make the proposal's record (or link the catalogue's own) with its quote, after the
    curator's edits; every record is validated as the admin validates it. Raises NotAccepted
    or ValidationError, and then nothing is written."""
    data = {**proposal.data, **{k: v for k, v in (edits or {}).items() if v is not None}}
    source = source_of(proposal.release)
    maker = {
        "agency": _agency,
        "person": _person,
        "agreement": _agreement,
        "mission": _mission,
        "event": _event,
    }[proposal.kind]
    # The history names the assistant and the release; the curator who accepted is its user
    # (the admin's request).
    with changes_made_by(f"ingest assistant, press release {proposal.release.pk}"):
        record = maker(data, source, proposal.release)
        for quote in data.get("quotes") or [data["quote"]]:
            _quote(record, source, quote)
    proposal.data = data
    proposal.decision = Decision.ACCEPTED
    proposal.decided_at, proposal.decided_by = timezone.now(), user
    proposal.record_type = ContentType.objects.get_for_model(record)
    proposal.record_id = record.pk
    proposal.save()
    return record


def source_of(release):
    """The release's Source, made the first time something is accepted from it."""
    if release.source_id:
        return release.source
    date = release.published_on
    if date is None and release.dateline:
        from datetime import date as make_date

        date = make_date.fromisoformat(release.dateline["date"])
    slug = _free_slug(
        Source, slugify(f"{release.publisher} {date.year if date else ''} {release.title}")[:90]
    )
    notes = "Added through the ingest assistant"
    notes += f" from {release.url}." if release.url else "."
    source = Source(
        slug=slug,
        title=release.title[:300],
        publisher=release.publisher,
        language=release.language,
        place=((release.dateline or {}).get("place") or "")[:100],
        file_name=release.file_name[:100],
        text=release.text,
        notes=notes,
        date_precision="day" if date else "unknown",
        year=date.year if date else None,
        month=date.month if date else None,
        day=date.day if date else None,
    )
    _save(source)
    release.source = source
    release.save(update_fields=["source"])
    return source


def _free_slug(model, wanted):
    wanted = wanted.strip("-") or model._meta.model_name
    slug, number = wanted, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{wanted[:90]}-{number}"
        number += 1
    return slug


def _save(record):
    record.full_clean()
    record.save()
    return record


def _existing(model, data):
    slug = data.get("existing")
    return model.objects.filter(slug=slug).first() if slug else None


def _country(code):
    if not code:
        return None
    country = Country.objects.filter(code=code).first()
    if country:
        return country
    names = next((names for c, names, _ in COUNTRIES if c == code), None)
    if names is None:
        raise NotAccepted(
            gettext("The country %(code)s is not in the catalogue: add it first.") % {"code": code}
        )
    return _save(Country(code=code, name=names[0]))


def _agency_named(name):
    """The catalogue's agency this name or acronym stands for, or None."""
    if not name:
        return None
    found = (
        Agency.objects.filter(acronym=name).first()
        or Agency.objects.filter(slug=slugify(name)).first()
    )
    if found:
        return found
    folded = fold(name)
    for agency in Agency.objects.filter(name__iexact=name)[:1]:
        return agency
    for agency in Agency.objects.only("pk", "name", "acronym", "slug"):
        if fold(agency.name) == folded:
            return agency
    return None


def _agency(data, source, release):
    existing = _existing(Agency, data) or _agency_named(data.get("acronym") or data["name"])
    if existing:
        return existing
    return _save(
        Agency(
            slug=_free_slug(Agency, slugify(data.get("acronym") or data["name"])[:60]),
            name=data["name"],
            acronym=data.get("acronym") or "",
            country=_country(data.get("country")),
            kind=data.get("kind") or "other",
        )
    )


def _person(data, source, release):
    person = _existing(Person, data) or Person.objects.filter(name=data["name"]).first()
    if person is None:
        person = _save(
            Person(slug=_free_slug(Person, slugify(data["name"])[:80]), name=data["name"])
        )
    organisation = data.get("organisation")
    agency = _agency_named(organisation)
    if organisation and agency is None:
        raise NotAccepted(
            gettext("Accept the agency “%(name)s” first (or clear the organisation).")
            % {"name": organisation}
        )
    if data.get("title"):
        role = Role(person=person, title=data["title"][:200], agency=agency, source=source)
        if not Role.objects.filter(
            person=person, title=role.title, agency=agency, source=source
        ).exists():
            _save(role)
    return person


def _mission(data, source, release):
    existing = _existing(Mission, data) or Mission.objects.filter(name=data["name"]).first()
    if existing:
        return existing
    return _save(
        Mission(
            slug=_free_slug(Mission, slugify(data["name"])[:80]),
            name=data["name"],
            full_name=data.get("full_name") or "",
            kind=data.get("kind") or "satellite",
            status="unknown",
        )
    )


def _date_fields(date):
    """The model's date fields from a proposal's date."""
    parts = {
        "year": None,
        "month": None,
        "day": None,
        "end_year": None,
        "end_month": None,
        "end_day": None,
    }
    for prefix, value in (("", date.get("start")), ("end_", date.get("end"))):
        if value:
            pieces = [int(p) for p in value.split("-")]
            for name, piece in zip(("year", "month", "day"), pieces, strict=False):
                parts[prefix + name] = piece
    return {
        "date_precision": date.get("precision") or "unknown",
        **parts,
        "date_is_inferred": bool(date.get("inferred")),
        "date_inference": date.get("reasoning", "") if date.get("inferred") else "",
    }


def _event(data, source, release):
    existing = _existing(Event, data)
    if existing:
        return existing
    return _save(
        Event(
            slug=_free_slug(Event, slugify(data["name"])[:100]),
            name=data["name"][:250],
            kind=data.get("kind") or "meeting",
            **_date_fields(data.get("date") or {}),
        )
    )


def _agreement(data, source, release):
    existing = _existing(Agreement, data)
    if existing:
        return existing
    parties = []
    for name in data.get("parties", []):
        agency = _agency_named(name)
        if agency is None:
            raise NotAccepted(
                gettext("Accept the agency “%(name)s” first: it is a party.") % {"name": name}
            )
        parties.append(agency)
    signatories = [
        p for p in (Person.objects.filter(name=n).first() for n in data.get("signatories", [])) if p
    ]
    event = Event.objects.filter(name=data["event"]).first() if data.get("event") else None
    # The admin's own rules for an agreement: a theme, and a party or a note saying why none.
    themes = list(Theme.objects.filter(slug__in=data.get("themes") or []))
    if not themes:
        raise NotAccepted(
            gettext("Give the agreement at least one theme (a theme's slug per line).")
        )
    notes = "Proposed by the ingest assistant."
    if not parties:
        notes += " The release names no party to it."
    if data.get("reasoning"):
        notes += f" {data['reasoning'][0].upper()}{data['reasoning'][1:]}."
    missing = set(data.get("signatories", [])) - {p.name for p in signatories}
    if missing:
        notes += " Signatories not yet in the catalogue: " + ", ".join(sorted(missing)) + "."
    agreement = _save(
        Agreement(
            slug=_free_slug(Agreement, slugify(data["title"])[:110]),
            title=data["title"][:300],
            kind=data.get("kind") or "other",
            status=data.get("status") or "signed",
            place=(data.get("place") or "")[:150],
            valid_until_year=data.get("valid_until_year"),
            notes=notes,
            event=event,
            **_date_fields(data.get("date") or {}),
        )
    )
    agreement.parties.set(parties)
    agreement.signatories.set(signatories)
    agreement.themes.set(themes)
    return agreement


def _quote(record, source, text):
    text = " ".join(text.split())
    if not quote_occurs_in(text, source.text):
        raise ValidationError(
            {"quote": gettext("“%(text)s…” is not in the release's text.") % {"text": text[:60]}}
        )
    content_type = ContentType.objects.get_for_model(record)
    if Quote.objects.filter(
        content_type=content_type, object_id=record.pk, source=source, text=text
    ).exists():
        return
    quote = Quote(content_type=content_type, object_id=record.pk, source=source, text=text)
    quote.full_clean(exclude=["anchor"])
    quote.save()


def new_release(
    *,
    text,
    title="",
    url="",
    published_on=None,
    publisher="CNES",
    language="",
    file_name="",
    user=None,
):
    """Keep a release for review and read it into proposals."""
    language = language or language_of(text) or "en"
    if not title:
        title = next(
            (line.strip(" *#") for line in text.splitlines() if line.strip(" *#")), "Press release"
        )[:300]
    release = PressRelease.objects.create(
        title=title,
        url=url,
        published_on=published_on,
        publisher=publisher or "CNES",
        language=language,
        text=text,
        file_name=file_name,
        added_by=user,
    )
    read_into_proposals(release)
    return release
