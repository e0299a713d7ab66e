"""Brazilian business days: weekends and national holidays.

The five business days of STJ Súmula 548 are counted on this calendar, which must never give
a deadline later than the legal one: every day wrongly counted as a holiday pushes it later.
So it holds only the national holidays by law — 1/1, Tiradentes (21/4), 1/5, 7/9, 2/11,
15/11 and 25/12 (Lei 662/1949 as amended by Lei 10.607/2002), 12/10 (Lei 6.802/1980) and
20/11, Consciência Negra (Lei 14.759/2023, from 2024) — plus Sexta-feira Santa, a religious
holiday (Lei 9.093/1995) observed in the whole country, banks included.

Not counted: Carnaval, Ash Wednesday and Corpus Christi, which are *pontos facultativos*
(optional days off), not holidays; state and municipal holidays, which vary per debtor.
Leaving them out makes the deadline earlier, never later.
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
    days.add(easter(year) - timedelta(days=2))  # Sexta-feira Santa (Paixão de Cristo)
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
