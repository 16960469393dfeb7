"""Fill the database with a synthetic catalogue of N agreements, for benchmarks.

Every synthetic record is marked: slugs start with "syn-", countries use ISO 3166 codes that
are never assigned to a real country (XA–XZ, QM–QZ) and names that start with "Synthetic".
A run first deletes any earlier synthetic data, then writes with bulk inserts, each agreement
with its search text, countries and links already derived (what cooperation.derived would make), so
nothing is written twice. The catalogue is skewed as real ones are: one agency is party to 5%
of the agreements and one country (XA) concerns about a fifth of them, so that benchmarks meet
large neighbourhoods. It refuses to run on a database that holds
curated records unless --with-curated is given, and it never touches them.
"""

import random
import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cooperation.models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementKind,
    AgreementStatus,
    CatalogueVersion,
    Country,
    Event,
    EventKind,
    Mission,
    MissionKind,
    MissionStatus,
    Person,
    Quote,
    Role,
    Source,
    Theme,
    analyze_catalogue,
)
from cooperation.search import document_of

PREFIX = "syn-"
COUNTRY_CODES = (
    [f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    + [f"Q{c}" for c in "MNOPQRSTUVWXYZ"]
    + [f"Z{c}" for c in "BCDEFGHIJKLNOPQRSTUVXY"]
)
THEMES = [
    ("climate", "Climate"),
    ("earth-observation", "Earth observation"),
    ("oceanography", "Oceanography"),
    ("education", "Education and training"),
    ("astrophysics", "Astrophysics"),
    ("lunar-exploration", "Lunar exploration"),
    ("telecommunications", "Telecommunications"),
    ("launchers", "Launchers"),
    ("navigation", "Satellite navigation"),
    ("space-science", "Space science"),
    ("human-spaceflight", "Human spaceflight"),
    ("space-debris", "Space debris"),
]
WORDS = [
    "cooperation",
    "satellite",
    "climate",
    "ocean",
    "launcher",
    "station",
    "navigation",
    "data",
    "exchange",
    "training",
    "research",
    "mission",
    "observation",
    "science",
    "agreement",
    "framework",
    "programme",
    "laboratory",
    "signal",
    "orbit",
    "instrument",
    "ground",
    "segment",
    "monitoring",
    "telecommunications",
    "exploration",
    "lunar",
    "probe",
]
BATCH = 5000
BIG_AGENCY_SHARE = 0.05  # of the agreements: the first agency is party to about this many
BIG_COUNTRY_SHARE = 0.04  # of the agencies: in the first country, with the first agency


def delete_rows(queryset):
    """DELETE … WHERE, as one statement: Django's delete() would load every row to send its
    signals (minutes at 100,000 agreements)."""
    return queryset._raw_delete(queryset.db)


class Command(BaseCommand):
    help = "Replace any synthetic data with a synthetic catalogue of N agreements (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--agreements", type=int, required=True, help="How many agreements.")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed, the same data.")
        parser.add_argument(
            "--with-curated",
            action="store_true",
            help="Run even though the database holds curated records (they are left alone).",
        )

    def handle(self, *args, agreements, seed, with_curated, verbosity=1, **options):
        if agreements < 1:
            raise CommandError("--agreements must be at least 1.")
        curated = Agreement.objects.exclude(slug__startswith=PREFIX).count()
        if curated and not with_curated:
            raise CommandError(
                f"The database holds {curated} curated agreements. Use a database of its own for "
                "benchmarks, or pass --with-curated to add synthetic records beside them."
            )
        self.verbosity = verbosity
        self.random = random.Random(seed)
        started = time.perf_counter()
        with transaction.atomic():
            self.step("deleted earlier synthetic data", self.delete_synthetic)
            self.build(agreements)
        self.step("planner statistics (ANALYZE)", analyze_catalogue)
        self.say(
            f"Done: {agreements} synthetic agreements in {time.perf_counter() - started:.1f} s."
        )

    # Output

    def say(self, message):
        if self.verbosity >= 1:
            self.stdout.write(message)
            self.stdout.flush()

    def step(self, label, action, *args):
        started = time.perf_counter()
        result = action(*args)
        count = f"{len(result):>7} " if isinstance(result, list) else ""
        self.say(f"  {count}{label} ({time.perf_counter() - started:.1f} s)")
        return result

    # Deleting

    def delete_synthetic(self):
        """Delete the synthetic records in bulk: no row is loaded and no signal sent (the run
        bumps the catalogue's version once, at its end)."""
        synthetic = {"slug__startswith": PREFIX}
        for model in (Agreement, Event, Mission):
            for field in model._meta.many_to_many:
                links = field.remote_field.through.objects
                delete_rows(links.filter(**{f"{field.m2m_field_name()}__slug__startswith": PREFIX}))
        delete_rows(Quote.objects.filter(source__slug__startswith=PREFIX))
        delete_rows(Role.objects.filter(person__slug__startswith=PREFIX))
        for model in (Agreement, Event, Mission, Person, Agency, Theme, Source):
            delete_rows(model.objects.filter(**synthetic))
        delete_rows(Country.objects.filter(code__in=COUNTRY_CODES, name__startswith="Synthetic"))

    # Building

    def build(self, total):
        countries = self.step("countries", self.make_countries)
        themes = self.step("themes", self.make_themes)
        sources = self.step("sources", self.make_sources, max(5, total // 100))
        agencies = self.step("agencies", self.make_agencies, max(20, total // 50), countries)
        people = self.step("people", self.make_people, max(20, total // 20), agencies, sources)
        missions = self.step(
            "missions", self.make_missions, max(5, total // 100), agencies, countries, themes
        )
        events = self.step(
            "events", self.make_events, max(5, total // 20), countries, people, agencies
        )
        self.step(
            "agreements, their links and derived data",
            self.make_agreements,
            total,
            agencies,
            people,
            themes,
            missions,
            events,
            sources,
        )
        self.step("quotes", self.make_quotes, sources, agencies, people, missions, events)
        CatalogueVersion.bump()  # bulk inserts send no signals

    def partial_date(self, first=1960, last=2030):
        r = self.random
        year = r.randint(first, last)
        kind = r.choices(["day", "month", "year", "range", "unknown"], [50, 20, 20, 5, 5])[0]
        month, day = r.randint(1, 12), r.randint(1, 25)
        date = {
            "date_precision": kind,
            "year": None,
            "month": None,
            "day": None,
            "end_year": None,
            "end_month": None,
            "end_day": None,
        }
        if kind == "day":
            date.update(year=year, month=month, day=day)
        elif kind == "month":
            date.update(year=year, month=month)
        elif kind == "year":
            date.update(year=year)
        elif kind == "range":
            date.update(
                year=year,
                month=month,
                day=day,
                end_year=year,
                end_month=month,
                end_day=day + r.randint(1, 3),
            )
        if kind != "unknown" and r.random() < 0.05:
            date.update(
                date_is_inferred=True,
                date_inference="Inferred from the synthetic source's context.",
            )
        return date

    def make_countries(self):
        rows = [Country(code=code, name=f"Synthetic Country {code}") for code in COUNTRY_CODES]
        return Country.objects.bulk_create(rows)

    def make_themes(self):
        rows = [
            Theme(
                slug=f"{PREFIX}{slug}",
                name=f"{name} (synthetic)",
                description=f"Synthetic: {name}.",
            )
            for slug, name in THEMES
        ]
        return Theme.objects.bulk_create(rows)

    def make_sources(self, count):
        r = self.random
        rows = []
        for n in range(count):
            sentences = [
                f"Agency {n} and its partners agreed on {' '.join(r.sample(WORDS, 4))}."
                for _ in range(12)
            ]
            rows.append(
                Source(
                    slug=f"{PREFIX}source-{n}",
                    title=f"Synthetic press release {n}",
                    publisher="Synthetic",
                    reference=f"SYN-{n}",
                    text="\n".join(sentences),
                    **self.partial_date(2000, 2030),
                )
            )
        return Source.objects.bulk_create(rows, batch_size=BATCH)

    def make_agencies(self, count, countries):
        r = self.random
        kinds = [k for k, _ in AgencyKind.choices]
        rows = []
        for n in range(count):
            if n % round(1 / BIG_COUNTRY_SHARE) == 0:
                country = countries[0]
            elif n < len(countries):
                country = countries[n]  # every country has an agency, whatever the size
            else:
                country = r.choice(countries) if r.random() > 0.02 else None
            rows.append(
                Agency(
                    slug=f"{PREFIX}agency-{n}",
                    acronym=f"SA{n}",
                    name=f"Synthetic Agency {n}",
                    country=country,
                    kind=r.choice(kinds),
                )
            )
        return Agency.objects.bulk_create(rows, batch_size=BATCH)

    def make_people(self, count, agencies, sources):
        r = self.random
        people = Person.objects.bulk_create(
            [
                Person(slug=f"{PREFIX}person-{n}", name=f"Synthetic Person {n}")
                for n in range(count)
            ],
            batch_size=BATCH,
        )
        roles = [
            Role(
                person=p,
                title=r.choice(["President", "Director", "Administrator", "Press Officer"]),
                agency=r.choice(agencies),
                source=r.choice(sources),
            )
            for p in people
        ]
        Role.objects.bulk_create(roles, batch_size=BATCH)
        return people

    def make_missions(self, count, agencies, countries, themes):
        r = self.random
        missions = self.make(
            Mission,
            count,
            lambda n: {
                "slug": f"{PREFIX}mission-{n}",
                "name": f"SYN-{n}",
                "kind": r.choice(MissionKind.values),
                "status": r.choice(MissionStatus.values),
                **self.partial_date(),
            },
        )
        self.link(Mission.partners.through, "mission_id", "agency_id", missions, agencies, 1, 3)
        self.link(Mission.countries.through, "mission_id", "country_id", missions, countries, 1, 2)
        self.link(Mission.themes.through, "mission_id", "theme_id", missions, themes, 1, 2)
        return missions

    def make_events(self, count, countries, people, agencies):
        r = self.random
        events = self.make(
            Event,
            count,
            lambda n: {
                "slug": f"{PREFIX}event-{n}",
                "name": f"Synthetic meeting {n}",
                "kind": r.choice(EventKind.values),
                "place": f"City {n % 300}",
                "country": r.choice(countries),
                **self.partial_date(),
            },
        )
        self.link(Event.participants.through, "event_id", "person_id", events, people, 1, 3)
        self.link(Event.agencies.through, "event_id", "agency_id", events, agencies, 1, 3)
        return events

    def make_agreements(self, count, agencies, people, themes, missions, events, sources):
        """The agreements with their links, quote and derived data (search text, countries,
        links)."""
        r = self.random
        kinds = [k for k, _ in AgreementKind.choices]
        statuses = [s for s, _ in AgreementStatus.choices]
        first_lines = {source.pk: source.text.split("\n")[0] for source in sources}
        rows, links = [], {"parties": [], "signatories": [], "themes": [], "missions": []}
        quoted = []
        for n in range(count):
            words = " ".join(r.sample(WORDS, 3))
            agreement = Agreement(
                slug=f"{PREFIX}agreement-{n}",
                title=f"Synthetic {words} agreement {n}",
                kind=r.choice(kinds),
                status=r.choices(statuses, [80, 5, 10, 5])[0],
                summary=f"A synthetic agreement on {words}.",
                event=r.choice(events) if r.random() < 0.3 else None,
                **self.partial_date(),
            )
            parties = r.sample(agencies[1:], r.randint(2, min(6, len(agencies) - 1)))
            if r.random() < BIG_AGENCY_SHARE:
                parties[0] = agencies[0]
            links["parties"].append(parties)
            links["signatories"].append(r.sample(people, r.randint(0, min(3, len(people)))))
            links["themes"].append(r.sample(themes, r.randint(1, min(4, len(themes)))))
            links["missions"].append(r.sample(missions, r.randint(0, min(2, len(missions)))))
            source = r.choice(sources)
            quoted.append(source)
            # What Agreement.objects.refresh_links() makes of it: one quote, no country named.
            agreement.links = {
                "parties": sorted(a.pk for a in parties),
                "countries": sorted({a.country_id for a in parties if a.country_id is not None}),
                "countries_concerned": [],
                "signatories": sorted(p.pk for p in links["signatories"][-1]),
                "themes": sorted(t.pk for t in links["themes"][-1]),
                "quotes": 1,
            }
            # What cooperation.search.document() makes of it, its relations in their order.
            agreement.search_text = document_of(
                agreement,
                sorted(parties, key=lambda agency: agency.name),
                sorted(links["signatories"][-1], key=lambda person: person.name),
                [first_lines[source.pk]],
                {a.country.code for a in parties if a.country is not None},
            )
            rows.append(agreement)
        agreements = Agreement.objects.bulk_create(rows, batch_size=BATCH)
        self.link_chosen(Agreement.parties.through, "agency_id", agreements, links["parties"])
        self.link_chosen(
            Agreement.signatories.through, "person_id", agreements, links["signatories"]
        )
        self.link_chosen(Agreement.themes.through, "theme_id", agreements, links["themes"])
        self.link_chosen(Agreement.missions.through, "mission_id", agreements, links["missions"])
        countries = [
            sorted({a.country_id for a in parties if a.country_id is not None})
            for parties in links["parties"]
        ]
        through = Agreement.countries.through
        through.objects.bulk_create(
            [
                through(agreement_id=agreement.pk, country_id=country)
                for agreement, chosen in zip(agreements, countries, strict=True)
                for country in chosen
            ],
            batch_size=BATCH,
        )
        content_type = ContentType.objects.get_for_model(Agreement)
        self.agreement_quotes = [
            Quote(
                content_type=content_type,
                object_id=agreement.pk,
                source=source,
                text=first_lines[source.pk],
            )
            for agreement, source in zip(agreements, quoted, strict=True)
        ]
        return agreements

    def make_quotes(self, sources, *groups):
        """One quote per record, a sentence of a synthetic source that names it (the
        agreements' were chosen with them, for their search text)."""
        r = self.random
        first_lines = {source.pk: source.text.split("\n")[0] for source in sources}
        rows = []
        for records in groups:
            content_type = ContentType.objects.get_for_model(records[0])
            for record in records:
                source = r.choice(sources)
                rows.append(
                    Quote(
                        content_type=content_type,
                        object_id=record.pk,
                        source=source,
                        text=first_lines[source.pk],
                    )
                )
        rows += self.agreement_quotes
        for number, quote in enumerate(rows):
            quote.anchor = f"syn-{number}"  # bulk inserts skip save(), which names a quote
        return Quote.objects.bulk_create(rows, batch_size=BATCH)

    def link_chosen(self, through, other, records, chosen):
        own = f"{records[0]._meta.model_name}_id"
        rows = [
            through(**{own: record.pk, other: target.pk})
            for record, targets in zip(records, chosen, strict=True)
            for target in targets
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)

    def make(self, model, count, fields):
        """`count` records of the model, the n-th with the fields `fields(n)` gives."""
        return model.objects.bulk_create(
            [model(**fields(n)) for n in range(count)], batch_size=BATCH
        )

    def link(self, through, own, other, records, targets, least, most):
        r = self.random
        rows = []
        for record in records:
            for target in r.sample(targets, r.randint(least, min(most, len(targets)))):
                rows.append(through(**{own: record.pk, other: target.pk}))
        through.objects.bulk_create(rows, batch_size=BATCH)
