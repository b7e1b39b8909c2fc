"""Reporting periods: a month, a quarter, a year or a run of months, in the vendor's time zone.

A period is [start, end) on first-of-month dates, so it maps one-to-one onto rollup months and
onto aware datetimes at the vendor's midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.selectors import tenant_today, tenant_zone


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month `day` falls in."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    """The first day of the vendor's month that `moment` falls in."""
    return moment.astimezone(tenant_zone()).date().replace(day=1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day of the first month
    end: date  # first day of the month after the last

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == PeriodKind.YEAR:
            start = date(day.year, 1, 1)
            return cls(kind, start, add_months(start, 12))
        if kind == PeriodKind.QUARTER:
            start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            return cls(kind, start, add_months(start, 3))
        start = day.replace(day=1)
        return cls(PeriodKind.MONTH, start, add_months(start, 1))

    @classmethod
    def current(cls, kind: str) -> Period:
        return cls.containing(kind, tenant_today())

    @property
    def length(self) -> int:
        """Months in the period."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def days(self) -> int:
        return self.end.toordinal() - self.start.toordinal()

    def shifted(self, months: int) -> Period:
        return Period(self.kind, add_months(self.start, months), add_months(self.end, months))

    def previous(self) -> Period:
        """The period just before, of the same length (month-on-month, quarter-on-quarter)."""
        return self.shifted(-self.length)

    def year_ago(self) -> Period:
        """The same period a year earlier (year-on-year, 同比)."""
        return self.shifted(-12)

    def months(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.length)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at the vendor's midnight."""
        tz = tenant_zone()
        return datetime.combine(self.start, time.min, tz), datetime.combine(self.end, time.min, tz)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.length == 1:
            return f"{self.start:%Y-%m}"
        return f"{self.start:%Y-%m} – {self.last_day:%Y-%m}"
