"""What hangs from each bench company besides its pipeline: contacts, interactions, follow-ups, letters.

Used by bench/generate.py; every function takes the generator (its random source, id counters,
sinks, owners and today) and the company being built, and queues rows on the sinks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from crm.text import fold

FIRST_NAMES = (
    ("Rosa", "female"), ("Carmen", "female"), ("Lucía", "female"), ("María", "female"), ("Ana", "female"),
    ("Patricia", "female"), ("Milagros", "female"), ("Jimena", "female"), ("Elena", "female"),
    ("Jorge", "male"), ("Luis", "male"), ("Carlos", "male"), ("José", "male"), ("Miguel", "male"),
    ("Óscar", "male"), ("Raúl", "male"), ("Víctor", "male"), ("Andrés", "male"), ("Iván", "male"),
)  # fmt: skip
LAST_NAMES = (
    "Quispe", "Flores", "Sánchez", "Rodríguez", "García", "Huamán", "Mamani", "Chávez", "Ramírez",
    "Torres", "Vásquez", "Castillo", "Mendoza", "Rojas", "Gutiérrez", "Núñez", "Ñahui", "Paredes",
    "Espinoza", "Salazar", "Zúñiga", "Cárdenas", "Villanueva", "Palacios", "Ccori", "Yupanqui",
)  # fmt: skip
POSITIONS = (
    "Gerente general", "Jefe de planta", "Jefe de mantenimiento", "Gerente de operaciones",
    "Coordinador de medio ambiente", "Jefe de seguridad y salud", "Gerente de finanzas",
    "Asistente de gerencia",
)  # fmt: skip
KINDS = (
    ("meeting", 25), ("call", 30), ("email", 25), ("virtual_meeting", 10), ("site_visit", 7), ("other", 3),
)  # fmt: skip
SUMMARIES = (
    "Presentación del proyecto y de la zona industrial sostenible",
    "Llamada para coordinar la visita técnica a planta",
    "Envío de la carta de interés para firma",
    "Revisión del diagnóstico energético con el jefe de planta",
    "Reunión sobre calderos y consumo de gas natural",
    "Seguimiento del compromiso de cofinanciamiento",
    "Consulta sobre confidencialidad de los datos de proceso",
    "Taller de buenas prácticas ambientales",
)  # fmt: skip
OUTCOMES = (
    "Interesados, piden propuesta", "Sin respuesta aún", "Acordaron visita", "Pidieron más información",
)  # fmt: skip
FOLLOW_UPS = ("Llamar para confirmar la visita", "Enviar la propuesta técnica", "Pedir la carta firmada")
COFINANCE_TYPES = (("equity", 40), ("in_kind", 30), ("grant", 10), ("loan", 20))
COFINANCE_STATUSES = (("signed", 60), ("requested", 15), ("received", 10), ("expired", 10), ("withdrawn", 5))
PEN_TO_USD = Decimal("0.270000")


def pick(rng: Any, weighted: tuple[tuple[str, int], ...]) -> str:
    """Draw one value from (value, weight) pairs."""
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def stamp(day: date) -> datetime:
    """Return a UTC timestamp at mid-afternoon of a day."""
    return datetime.combine(day, time(15, 0), UTC)


def contacts(g: Any, org_id: int, count: int) -> list[int]:
    """Queue count contacts of an organisation; return their ids."""
    first = g.take("contacts", count)
    for offset in range(count):
        given, gender = g.rng.choice(FIRST_NAMES)
        family = g.rng.choice(LAST_NAMES)
        position = g.rng.choice(POSITIONS)
        email = f"{fold(given)}.{fold(family)}{first + offset}@empresa{org_id}.pe".replace(" ", "")
        g.sinks["contacts"].add(
            {"id": first + offset, "organisation_id": org_id, "first_name": given, "last_name": family,
             "position": position, "email": email, "phone": f"+51 9{g.rng.randrange(10**7, 10**8)}",
             "gender": gender, "email_consent": g.rng.random() < 0.7, "qualified_consultant": False,
             "search_text": fold(f"{given} {family} {email} {position}")[:420], "version_id": 1,
             "created_at": g.now, "updated_at": g.now}
        )  # fmt: skip
    return list(range(first, first + count))


def interactions(g: Any, org_id: int, owner: int, people: list[int], start: date, count: int) -> None:
    """Queue count interactions between start and today (most by the owner), and the latest's follow-up."""
    span = max(1, (g.today - start).days)
    days = sorted(start + timedelta(days=g.rng.randrange(span)) for _ in range(count))
    for n, day in enumerate(days):
        iid = g.take("interactions")
        staff = owner if g.rng.random() < 0.8 else g.rng.choice(g.owners)
        g.sinks["interactions"].add(
            {"id": iid, "organisation_id": org_id, "kind": pick(g.rng, KINDS), "occurred_on": day,
             "staff_id": staff, "summary": g.rng.choice(SUMMARIES),
             "outcome": g.rng.choice(OUTCOMES) if g.rng.random() < 0.8 else None,
             "next_step": "Enviar información" if g.rng.random() < 0.3 else None,
             "created_at": stamp(day), "updated_at": stamp(day)}
        )  # fmt: skip
        if people and g.rng.random() < 0.5:
            for contact in g.rng.sample(people, k=min(len(people), g.rng.randint(1, 2))):
                g.sinks["interaction_contacts"].add({"interaction_id": iid, "contact_id": contact})
        follow_up(g, org_id, owner, iid, day, latest=n == count - 1)


def follow_up(g: Any, org_id: int, owner: int, iid: int, day: date, latest: bool) -> None:
    """Queue an open follow-up after the latest interaction (some overdue, some today) or a done one."""
    if latest and g.rng.random() < 0.2:
        due, done = g.today + timedelta(days=g.rng.randint(-25, 30)), None
    elif not latest and g.rng.random() < 0.05:
        due = day + timedelta(days=g.rng.randint(3, 20))
        done = stamp(min(due, g.today))
    else:
        return
    g.sinks["follow_ups"].add(
        {"id": g.take("follow_ups"), "organisation_id": org_id, "interaction_id": iid, "assignee_id": owner,
         "created_by_id": owner, "due_on": due, "description": g.rng.choice(FOLLOW_UPS), "done_at": done,
         "done_by_id": owner if done else None, "created_at": stamp(day), "updated_at": stamp(day)}
    )  # fmt: skip


def letter(g: Any, org_id: int, kind: str, status: str, requested_on: date, **extra: Any) -> int:
    """Queue one letter; return its id."""
    lid = g.take("letters")
    signed_on = requested_on + timedelta(days=g.rng.randint(7, 90)) if status == "signed" else None
    received = status in ("received", "signed")
    row = {"id": lid, "kind": kind, "organisation_id": org_id, "programme_id": None, "status": status,
           "requested_on": requested_on, "received_on": signed_on or (requested_on if received else None),
           "signed_on": signed_on, "expires_on": None, "signatory_id": None, "requested_by_id": None,
           "notes": None, "document_id": None, "amount": None, "currency": None, "exchange_rate": None,
           "amount_usd": None, "cofinance_type": None, "cofinancier_type": None, "component": None,
           "version_id": 1, "created_at": stamp(requested_on),
           "updated_at": stamp(signed_on or requested_on)}  # fmt: skip
    row.update(extra)
    g.sinks["letters"].add(row)
    return lid


def interest_letter(g: Any, org_id: int, owner: int, programme: int, reached_on: date, signed: bool) -> None:
    """Queue a letter of interest: signed before the stage, or requested and not back yet."""
    requested = reached_on - timedelta(days=g.rng.randint(20, 60)) if signed else reached_on
    letter(g, org_id, "interest", "signed" if signed else "requested", requested,
           programme_id=programme, requested_by_id=owner)  # fmt: skip


def cofinance_letter(g: Any, org_id: int, owner: int, programme: int | None, day: date, who: str) -> None:
    """Queue a co-finance letter with an amount in USD or PEN and, when signed, some materialisations."""
    status = pick(g.rng, COFINANCE_STATUSES)
    currency = "USD" if g.rng.random() < 0.75 else "PEN"
    rate = Decimal("1.000000") if currency == "USD" else PEN_TO_USD
    amount = Decimal(round(10 ** g.rng.uniform(4, 6.5), -2)).quantize(Decimal("0.01"))
    usd = (amount * rate).quantize(Decimal("0.01"))
    lid = letter(g, org_id, "cofinance", status, day, programme_id=programme, requested_by_id=owner,
                 amount=amount, currency=currency, exchange_rate=rate, amount_usd=usd,
                 cofinance_type=pick(g.rng, COFINANCE_TYPES), cofinancier_type=who,
                 component=g.rng.randint(1, 5))  # fmt: skip
    if status == "signed" and g.rng.random() < 0.5:
        materialisations(g, lid, amount, rate, day)


def materialisations(g: Any, letter_id: int, amount: Decimal, rate: Decimal, day: date) -> None:
    """Queue one to three deliveries of a signed commitment, together at most the amount."""
    left = amount
    for _ in range(g.rng.randint(1, 3)):
        day = min(g.today, day + timedelta(days=g.rng.randint(30, 200)))
        part = (left * Decimal(g.rng.uniform(0.1, 0.6))).quantize(Decimal("0.01"))
        left -= part
        g.sinks["materialisations"].add(
            {"id": g.take("materialisations"), "letter_id": letter_id, "occurred_on": day, "amount": part,
             "amount_usd": (part * rate).quantize(Decimal("0.01")), "note": None,
             "created_at": stamp(day), "updated_at": stamp(day)}
        )  # fmt: skip


def letters_of(g: Any, org_id: int, owner: int, engagements: list[tuple[int, list[Any]]]) -> None:
    """Queue a company's letters from how far each engagement went (interest, then co-finance)."""
    for programme, steps in engagements:
        reached = {stage: day for stage, day in steps}
        if "loi_signed" in reached:
            interest_letter(g, org_id, owner, programme, reached["loi_signed"], signed=True)
        elif steps[-1][0] == "meeting_held" and g.rng.random() < 0.5:
            interest_letter(g, org_id, owner, programme, steps[-1][1], signed=False)
        if "assessed" in reached and g.rng.random() < 0.9:
            cofinance_letter(g, org_id, owner, programme, reached["assessed"], "private")


def stakeholder_letters(g: Any, org_id: int, kind: str) -> None:
    """Queue a stakeholder's cooperation letter and, for public funders, a co-finance commitment."""
    day = g.today - timedelta(days=g.rng.randint(30, 1500))
    owner = g.rng.choice(g.owners)
    if g.rng.random() < 0.5:
        status = pick(g.rng, (("signed", 50), ("requested", 30), ("received", 10), ("expired", 10)))
        letter(g, org_id, "cooperation", status, day, requested_by_id=owner)
    if kind in ("government", "donor") and g.rng.random() < 0.5:
        cofinance_letter(g, org_id, owner, None, day, kind)
