"""Brazilian business days: weekends and national (bank) holidays.

The five business days of STJ Súmula 548 are counted on this calendar. State and municipal
holidays vary per debtor and are not modelled: counting them would only make the deadline
later, so ignoring them errs on the safe side.
"""

from datetime import date, timedelta
from functools import lru_cache


def easter(year):
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def national_holidays(year):
    fixed = [(1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2), (11, 15), (12, 25)]
    if year >= 2024:
        fixed.append((11, 20))  # Dia Nacional de Zumbi e da Consciência Negra (Lei 14.759/2023)
    days = {date(year, month, day) for month, day in fixed}
    sunday = easter(year)
    days |= {
        sunday - timedelta(days=48),  # Carnaval (segunda): no banking
        sunday - timedelta(days=47),  # Carnaval (terça)
        sunday - timedelta(days=2),  # Sexta-feira Santa
        sunday + timedelta(days=60),  # Corpus Christi
    }
    return frozenset(days)


def is_business_day(day):
    return day.weekday() < 5 and day not in national_holidays(day.year)


def add_business_days(start, count):
    """The date ``count`` business days after ``start``."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day
