from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_human(value: timedelta | None) -> str:
    """ "2 d 3 h", "1 h 05 min", "12 min" in the page's language."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


# --- Amounts and phone numbers: the one place that formats them for people --------------------------------
_CURRENCY_SIGNS = {"CNY": "¥", "USD": "US$", "HKD": "HK$", "EUR": "€"}
_CURRENCY_WORDS_ZH = {"CNY": "元", "USD": "美元", "HKD": "港元", "EUR": "欧元"}


@register.filter
def money(amount: object, currency: str = "CNY") -> str:
    """ "¥800.00" in English, "800.00 元" in Chinese (thousands grouped; other currencies by code)."""
    from decimal import Decimal, InvalidOperation

    from django.utils.translation import get_language

    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(amount)
    code = (currency or "CNY").upper()
    text = f"{value:,.2f}"
    if (get_language() or "").startswith("zh"):
        return f"{text} {_CURRENCY_WORDS_ZH.get(code, code)}"
    sign = _CURRENCY_SIGNS.get(code)
    return f"{sign}{text}" if sign else f"{code} {text}"


@register.filter
def phone(value: object) -> str:
    """A phone number for reading: "139 1234 5678" on the Chinese pages, "+86 139 1234 5678" on the English
    ones (a mainland number needs its country code abroad); foreign numbers always internationally.
    What phonenumbers cannot parse is shown as it was typed."""
    import phonenumbers
    from django.utils.translation import get_language

    text = str(value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    domestic = number.country_code == 86 and (get_language() or "").startswith("zh")
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL if domestic else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


@register.simple_tag
def options(choices: Iterable[tuple[Any, Any]], selected: Any = None) -> SafeString:
    """The ``<option>`` elements of a ``<select>`` for (value, label) pairs, the one equal to ``selected``
    (compared as text, as a submitted form value is) marked: what a Select widget writes, in one Python loop
    rather than a template render per option (a filter bar holds dozens; platform lists hundreds)."""
    chosen = "" if selected is None else str(selected)
    return SafeString(
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )
