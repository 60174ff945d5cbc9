"""Parsing cells written by people: decimal commas, dd/mm/yyyy dates, sí/no, RUCs and e-mails."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from crm.imports.reading import NumberText
from crm.organisations.services import ruc_message, web_url
from crm.ruc import clean_ruc, ruc_error
from crm.text import fold

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: [\d:.]+)?$")
MONEY_NOISE = re.compile(r"(US\$|USD|S/\.?|PEN|\$|\s|\u00a0|\u202f)", re.IGNORECASE)
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# 1,500 or 1.500: thousands or decimals? Refused rather than guessed (0,125 is clearly decimal).
AMBIGUOUS = re.compile(r"^-?[1-9]\d{0,2}[.,]\d{3}$")
# How the file writes numbers: "auto" reads each cell's own separators; the others are the user's word.
NUMBER_STYLES = ("auto", "point", "comma")
WRITTEN = {  # style -> (thousands separator, decimal mark, the shape a cell must have)
    "point": (",", ".", re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")),
    "comma": (".", ",", re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")),
}
TRUE = {"si", "s", "yes", "y", "true", "verdadero", "1", "x"}
FALSE = {"no", "n", "false", "falso", "0"}


class CellError(ValueError):
    """A cell's content is unusable; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AmbiguousNumberError(CellError):
    """A number like 1.500 that reads as thousands or as decimals: the user must say which."""

    def __init__(self, value: str) -> None:
        super().__init__(
            _("“%(value)s” is ambiguous (thousands or decimals?): say how the file writes numbers, "
              "1,234.56 or 1.234,56.", value=value)
        )  # fmt: skip
        self.value = value


def text(value: str, max_length: int) -> str | None:
    """Return trimmed text (None when blank), refusing text longer than the column holds."""
    value = value.strip()
    if len(value) > max_length:
        raise CellError(_("This text is longer than %(max)s characters.", max=max_length))
    return value or None


def normalise_number(raw: str) -> str:
    """Rewrite '1.234,5', '1,234.5', '1234,5' or '1 234' as '1234.5' (the last separator is decimal)."""
    value = MONEY_NOISE.sub("", raw)
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return value.replace(thousands, "").replace(decimal_mark, ".")
    if commas > 1 or dots > 1:  # only thousands separators, as in 1.500.000
        return value.replace(",", "").replace(".", "")
    return value.replace(",", ".")


def written_as(raw: str, style: str) -> str:
    """Rewrite a number written in a known style ('point': 1,234.5; 'comma': 1.234,5) as '1234.5'."""
    thousands, mark, shape = WRITTEN[style]
    value = MONEY_NOISE.sub("", raw)
    if not shape.match(value):
        example = "1,234.56" if style == "point" else "1.234,56"
        raise CellError(_("“%(value)s” is not a number written as %(example)s.", value=raw, example=example))
    return value.replace(thousands, "").replace(mark, ".")


def plain_number(raw: str, style: str) -> str:
    """Return a cell's number as plain digits with a decimal point, in the file's style."""
    if isinstance(raw, NumberText):  # a workbook's number cell: already plain
        return raw
    if style in WRITTEN:
        return written_as(raw, style)
    if AMBIGUOUS.match(MONEY_NOISE.sub("", raw)):
        raise AmbiguousNumberError(raw.strip())
    return normalise_number(raw)


def decimal(raw: str, places: int = 2, style: str = "auto") -> Decimal | None:
    """Parse a non-negative number written as the file's style says (see NUMBER_STYLES); None when blank."""
    if not raw.strip():
        return None
    value = plain_number(raw, style)
    if not NUMBER.match(value):
        raise CellError(_("“%(value)s” is not a number.", value=raw))
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.", value=raw)) from None
    if number < 0:
        raise CellError(_("The number cannot be negative."))
    if number >= Decimal(10) ** 13:
        raise CellError(_("The number is too large."))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def day(raw: str) -> date | None:
    """Parse dd/mm/yyyy (also with - or .) or ISO yyyy-mm-dd; None when blank."""
    raw = raw.strip()
    if not raw:
        return None
    iso, dmy = ISO_DATE.match(raw), DMY_DATE.match(raw)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if dmy:
            return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    except ValueError:
        pass
    raise CellError(_("“%(value)s” is not a date: write dd/mm/yyyy or yyyy-mm-dd.", value=raw))


def past_day(raw: str, today: date) -> date | None:
    """Parse a date that cannot be in the future."""
    value = day(raw)
    if value is not None and value > today:
        raise CellError(_("The date cannot be in the future."))
    return value


def boolean(raw: str) -> bool | None:
    """Parse sí/no, yes/no, true/false, 1/0 or x; None when blank."""
    key = fold(raw).strip(". ")
    if not key:
        return None
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellError(_("Write yes or no (sí/no), not “%(value)s”.", value=raw))


def email(raw: str) -> str | None:
    """Return a syntactically valid e-mail address; None when blank."""
    value = raw.strip()
    if not value:
        return None
    if len(value) > 254:
        raise CellError(_("“%(value)s” is not a valid e-mail address.", value=value[:60]))
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise CellError(_("“%(value)s” is not a valid e-mail address.", value=value)) from None
    return value


def ruc(raw: str) -> str | None:
    """Return a valid RUC (spaces, dots and dashes removed); None when blank."""
    value = clean_ruc(raw)
    if not value:
        return None
    if problem := ruc_error(value):
        raise CellError(ruc_message(problem))
    return value


def website(raw: str) -> str | None:
    """Return an http(s) address; None when blank."""
    value = raw.strip()
    if not value:
        return None
    if len(value) > 200 or not web_url(value):
        raise CellError(_("Enter a web address starting with http:// or https://."))
    return value


def choice_key(raw: str) -> str:
    """Return the lookup key of a value written by hand: folded, separators as underscores."""
    return re.sub(r"[\s\-/]+", "_", fold(raw)).strip("_.")
