"""Partial dates: as precise as the documents allow, checked by the database, shown as written.

A date is a day, a month, a year, a range or unknown. A range has an end at the same
granularity as its start (2–4 November 2018, 2023–2024) and ends strictly after it starts.
The rules are the database's CHECK constraints, each with the message a curator reads
(Django's `full_clean()` runs them); Python adds only what a constraint cannot say, that
November has no day 31.
"""

import calendar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.dates import MONTHS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .translated import Translated, in_french


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    RANGE = "range", _("Range")
    UNKNOWN = "unknown", _("Unknown")


def _parts_present(prefix, *, month, day):
    """Q for a date whose month and day parts are present or absent as asked."""
    return Q(
        **{
            f"{prefix}year__isnull": False,
            f"{prefix}month__isnull": not month,
            f"{prefix}day__isnull": not day,
        }
    )


_NO_END = Q(end_year__isnull=True, end_month__isnull=True, end_day__isnull=True)
_NO_START = Q(year__isnull=True, month__isnull=True, day__isnull=True)
_RANGE_GRANULARITY = (
    (_parts_present("", month=True, day=True) & _parts_present("end_", month=True, day=True))
    | (_parts_present("", month=True, day=False) & _parts_present("end_", month=True, day=False))
    | (_parts_present("", month=False, day=False) & _parts_present("end_", month=False, day=False))
)
# A range ends strictly after it starts ("2018–2018" is the year 2018, not a range). Each
# comparison first asks that its parts exist: a CHECK constraint lets NULL (unknown) pass.
_RANGE_ORDERED = (
    Q(end_year__gt=F("year"))
    | Q(end_year=F("year"), month__isnull=False, end_month__gt=F("month"))
    | Q(
        end_year=F("year"),
        month__isnull=False,
        end_month=F("month"),
        day__isnull=False,
        end_day__gt=F("day"),
    )
)

# Each precision: the shape its parts must have, and what a curator is told otherwise.
_SHAPES = {
    DatePrecision.DAY: (
        _parts_present("", month=True, day=True) & _NO_END,
        "a year, a month and a day, and no end",
    ),
    DatePrecision.MONTH: (
        _parts_present("", month=True, day=False) & _NO_END,
        "a year and a month, no day and no end",
    ),
    DatePrecision.YEAR: (
        _parts_present("", month=False, day=False) & _NO_END,
        "a year only",
    ),
    DatePrecision.RANGE: (
        _RANGE_GRANULARITY & _RANGE_ORDERED,
        "a start and an end with the same parts, the end after the start",
    ),
    DatePrecision.UNKNOWN: (_NO_START & _NO_END, "no date parts at all"),
}


def date_constraints():
    """The CHECK constraints of a partial date, named per model."""
    shapes = [
        models.CheckConstraint(
            name=f"%(app_label)s_%(class)s_{precision.value}_date_parts",
            condition=~Q(date_precision=precision) | shape,
            violation_error_message=f"A {precision.value} date needs {needs}.",
        )
        for precision, (shape, needs) in _SHAPES.items()
    ]
    return [
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_known_date_precision",
            condition=Q(date_precision__in=DatePrecision.values),
            violation_error_message="Choose a precision: day, month, year, range or unknown.",
        ),
        *shapes,
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_inferred_date_has_reasoning",
            condition=Q(date_is_inferred=False) | ~Q(date_inference=""),
            violation_error_message="Say how an inferred date was inferred.",
        ),
        models.CheckConstraint(
            name="%(app_label)s_%(class)s_reasoning_marks_date_inferred",
            condition=Q(date_is_inferred=True) | Q(date_inference=""),
            violation_error_message="Tick “date is inferred”: the date has a reasoning.",
        ),
    ]


def _year(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )


def _month(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )


def _day(verbose_name):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )


class PartialDate(models.Model):
    """A date as precise as the documents allow: a day, a month, a year, a range, or unknown."""

    # The parts a date is shown from, and with them every field of a partial date.
    date_part_names = ("date_precision", "year", "month", "day", "end_year", "end_month", "end_day")
    date_field_names = (*date_part_names, "date_is_inferred", "date_inference", "date_inference_fr")

    date_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
    )
    year = _year(_("year"))
    month = _month(_("month"))
    day = _day(_("day"))
    end_year = _year(_("end year"))
    end_month = _month(_("end month"))
    end_day = _day(_("end day"))
    date_is_inferred = models.BooleanField(
        _("date is inferred"),
        default=False,
        help_text=_("The documents do not state this date in full; it was inferred."),
    )
    date_inference = models.TextField(
        _("date inference"),
        blank=True,
        help_text=_("One sentence: how the date was inferred, and from what."),
    )
    date_inference_fr = in_french(_("date inference in French"))

    local_date_inference = Translated("date_inference")

    class Meta:
        abstract = True
        constraints = date_constraints()

    def clean(self):
        super().clean()
        for prefix in ("", "end_"):
            year, month, day = (
                getattr(self, f"{prefix}{part}") for part in ("year", "month", "day")
            )
            if not all(isinstance(part, int) for part in (year, month, day)):
                continue
            if 1 <= month <= 12 and day > calendar.monthrange(year, month)[1]:
                raise ValidationError({f"{prefix}day": f"{MONTHS[month]} {year} has no day {day}."})

    @property
    def date_display(self):
        """The date as a reader writes it: "9 January 2018", "March 2019", "2–4 November 2018"."""
        return partial_date_display(*(getattr(self, name) for name in self.date_part_names))


def partial_date_display(precision, year, month, day, end_year, end_month, end_day):
    """A partial date as written, from its parts (see PartialDate.date_display)."""
    if precision == DatePrecision.UNKNOWN or year is None:
        return gettext("Date unknown")
    start = _format_date(year, month, day)
    if precision != DatePrecision.RANGE:
        return start
    end = _format_date(end_year, end_month, end_day)
    if end_year != year:
        return f"{start}–{end}" if month is None else f"{start} – {end}"
    # Within one year, the end carries the year (and, within one month, the month).
    if month is None:
        return start
    if day is None:
        return f"{MONTHS[month]}–{end}"
    if end_month != month:
        return f"{day} {MONTHS[month]} – {end}"
    return f"{day}–{end}"


def iso_dates(precision, year, month, day, end_year, end_month, end_day):
    """(start, end) in ISO 8601 as precise as known: "2018-11-02", "2019-03", "2016"; the end
    only for a range; ("", "") when unknown."""
    if precision == DatePrecision.UNKNOWN or year is None:
        return "", ""
    end = iso_date(end_year, end_month, end_day) if precision == DatePrecision.RANGE else ""
    return iso_date(year, month, day), end


def iso_date(year, month=None, day=None):
    """A partial date in ISO 8601 as precise as its parts: "2018-11-02", "2019-03", "2016"; None
    with no year."""
    if year is None:
        return None
    parts = [f"{year:04d}"] + [f"{part:02d}" for part in (month, day) if part is not None]
    return "-".join(parts)


def _format_date(year, month=None, day=None):
    if month is None:
        return str(year)
    if day is None:
        return f"{MONTHS[month]} {year}"
    return f"{day} {MONTHS[month]} {year}"


def chronological(*, newest_first):
    """Ordering by the partial date, unknown dates last whichever the direction."""
    parts = ("year", "month", "day")
    if newest_first:
        return [F(part).desc(nulls_last=True) for part in parts]
    return [F(part).asc(nulls_last=True) for part in parts]
