"""The e-mail templates staff start from, in Spanish and English, and their merge fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

LANGUAGES = (("es", _l("Spanish")), ("en", _l("English")))
MERGE_FIELDS = ("contact_name", "company", "owner", "programme")
# Only these names are replaced, by plain text: no attribute access, no format spec, nothing evaluated.
FIELD = re.compile(r"\{(" + "|".join(MERGE_FIELDS) + r")\}")


@dataclass(frozen=True)
class Template:
    """One template: its label and, per language, a subject and a body."""

    key: str
    label: object
    texts: dict[str, tuple[str, str]]


def template(key: str, label: object, es: tuple[str, str], en: tuple[str, str]) -> Template:
    """Build a template."""
    return Template(key, label, {"es": es, "en": en})


TEMPLATES = (
    template(
        "loi_request",
        _l("Request for a letter of interest"),
        (
            "Carta de interés de {company} – {programme}",
            "Estimado/a {contact_name}:\n\nLe escribimos para solicitarle la carta de interés de {company} "
            "en el programa {programme}. Con gusto le enviamos el modelo y resolvemos sus dudas.\n\n"
            "Saludos cordiales,\n{owner}",
        ),
        (
            "Letter of interest from {company} – {programme}",
            "Dear {contact_name},\n\nWe are writing to ask for {company}'s letter of interest in the "
            "{programme} programme. We will gladly send you the model and answer any question.\n\n"
            "Kind regards,\n{owner}",
        ),
    ),
    template(
        "cofinance_request",
        _l("Request for a co-finance letter"),
        (
            "Carta de cofinanciamiento de {company}",
            "Estimado/a {contact_name}:\n\nPara avanzar con {programme}, necesitamos la carta de "
            "cofinanciamiento de {company}, firmada por su representante.\n\nSaludos cordiales,\n{owner}",
        ),
        (
            "Co-finance letter from {company}",
            "Dear {contact_name},\n\nTo move forward with {programme}, we need {company}'s co-finance "
            "letter, signed by its representative.\n\nKind regards,\n{owner}",
        ),
    ),
    template(
        "meeting_confirmation",
        _l("Meeting confirmation"),
        (
            "Confirmación de reunión – {company}",
            "Estimado/a {contact_name}:\n\nLe confirmamos nuestra reunión sobre {programme}. "
            "Quedamos atentos a cualquier cambio.\n\nSaludos cordiales,\n{owner}",
        ),
        (
            "Meeting confirmation – {company}",
            "Dear {contact_name},\n\nWe confirm our meeting about {programme}. "
            "Please let us know of any change.\n\nKind regards,\n{owner}",
        ),
    ),
    template(
        "event_thanks",
        _l("Thank-you after an event"),
        (
            "Gracias por su participación",
            "Estimado/a {contact_name}:\n\nGracias por acompañarnos en nuestro evento de {programme}. "
            "Fue un gusto contar con {company}.\n\nSaludos cordiales,\n{owner}",
        ),
        (
            "Thank you for taking part",
            "Dear {contact_name},\n\nThank you for joining our {programme} event. "
            "It was a pleasure to have {company} with us.\n\nKind regards,\n{owner}",
        ),
    ),
)
BY_KEY = {t.key: t for t in TEMPLATES}


def starting_text(key: str, language: str) -> tuple[str, str]:
    """Return a template's subject and body in a language (unknown key: the first template)."""
    chosen = BY_KEY.get(key, TEMPLATES[0])
    return chosen.texts.get(language, chosen.texts["es"])


def merge(text: str, values: dict[str, str]) -> str:
    """Replace the whitelisted merge fields by their values; anything else stays as written."""
    return FIELD.sub(lambda m: str(values.get(m.group(1), "")), text)
