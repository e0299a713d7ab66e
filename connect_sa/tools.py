"""Parsing and formatting of the values Connect SA exchanges (no state, no Odoo)."""

import re
from datetime import date, datetime

from . import const


def parse_brl(text):
    """``"R$ 1.234,56"`` → 1234.56; also ``"1234.56"``, numbers, ``"-R$ 5,00"``. None for
    an empty or unreadable value."""
    if isinstance(text, int | float):
        return float(text)
    value = re.sub(r"[^0-9,.\-]", "", text or "")
    if not re.search(r"\d", value):
        return None
    if "," in value:  # Brazilian format: dots group thousands, the comma is decimal
        value = value.replace(".", "").replace(",", ".")
    elif value.count(".") > 1:  # "1.234.567" without decimals
        value = value.replace(".", "")
    try:
        return float(value)
    except ValueError:
        return None


def parse_percent(text):
    """``"12,34%"`` → 12.34 (None when empty or unreadable)."""
    return parse_brl(str(text).replace("%", "")) if text not in (None, "") else None


def parse_date(text):
    """``"dd/mm/yyyy"`` → date, None when empty or invalid."""
    if isinstance(text, date):
        return text
    try:
        return datetime.strptime((text or "").strip(), const.DATE_FORMAT).date()
    except ValueError:
        return None


def format_date(value):
    return value.strftime(const.DATE_FORMAT) if value else ""


def format_amount(value):
    return const.AMOUNT_FORMAT.format(float(value or 0.0))


def digits(text):
    return re.sub(r"\D", "", text or "")


def national_phone(text):
    """A Brazilian phone as DDD + number (10 or 11 digits): the country code is dropped."""
    number = digits(text)
    if len(number) in (12, 13) and number.startswith("55"):
        number = number[2:]
    if len(number) in (11, 12) and number.startswith("0"):  # 0 + DDD + number
        number = number[1:]
    return number
