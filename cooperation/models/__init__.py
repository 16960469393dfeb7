"""The catalogue's data model: who cooperates with whom, on what, when, and on whose word.

`CATALOGUE` lists the records readers see and curators edit, in the order the fixture files
load them (a record refers only to records above it); each record names, in `inline`, the rows
that belong to it and are edited under it (its quotes; a person's roles too). Everything that
needs "the catalogue's models" (the version's signals, the curators' permissions, the fixture
files, the reload's lock) starts from here.
"""

from ..dates import DatePrecision, PartialDate, partial_date_display
from .activities import Event, EventKind, Mission, MissionKind, MissionStatus
from .actors import Agency, AgencyKind, Person, Role
from .agreements import Agreement, AgreementKind, AgreementStatus
from .base import CatalogueModel
from .bookkeeping import CatalogueVersion, FixtureSnapshot
from .ingest import Decision, PressRelease, Proposal, ProposalKind
from .reports import Report, ReportStatus
from .sources import Quote, Source
from .vocabulary import Country, Theme

CATALOGUE = (Source, Theme, Country, Agency, Person, Mission, Event, Agreement)


def inline_models(model):
    return [model._meta.get_field(name).related_model for name in model.inline]


def catalogue_models(*, links=False):
    """Every model of the catalogue: its records, their inline rows and, with `links`, the
    tables of their many-to-many relations."""
    found = list(CATALOGUE)
    for model in CATALOGUE:
        found += [child for child in inline_models(model) if child not in found]
    if links:
        found += [f.remote_field.through for model in CATALOGUE for f in model._meta.many_to_many]
    return found


def analyze_catalogue():
    """Refresh the query planner's statistics of the catalogue's tables after a bulk write, and
    on PostgreSQL (outside a transaction) vacuum them too: autovacuum is off on some servers
    (ours); plans on tables never analyzed were twice as slow there, and only a vacuumed table
    answers counts and deep pages from its indexes alone (index-only scans)."""
    from django.db import connection

    tables = [connection.ops.quote_name(m._meta.db_table) for m in catalogue_models(links=True)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            vacuum = "VACUUM (ANALYZE) " if not connection.in_atomic_block else "ANALYZE "
            cursor.execute(vacuum + ", ".join(tables))
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


__all__ = [
    "CATALOGUE",
    "Agency",
    "AgencyKind",
    "Agreement",
    "AgreementKind",
    "AgreementStatus",
    "CatalogueModel",
    "CatalogueVersion",
    "Country",
    "DatePrecision",
    "Decision",
    "Event",
    "EventKind",
    "FixtureSnapshot",
    "Mission",
    "MissionKind",
    "MissionStatus",
    "PartialDate",
    "Person",
    "PressRelease",
    "Proposal",
    "ProposalKind",
    "Quote",
    "Report",
    "ReportStatus",
    "Role",
    "Source",
    "Theme",
    "analyze_catalogue",
    "catalogue_models",
    "partial_date_display",
]
