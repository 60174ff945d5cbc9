"""Time the event outreach queries on a generated data set: p50/p95 in-process, as a staff member.

    .venv/bin/python bench/events_bench.py --database-url postgresql://postgres@127.0.0.1/crm_bench_100k

Before timing, every fifth contact is marked as accepting e-mail and one upcoming event gets 1,000
invitations, 600 registrations and 400 check-ins (rolled back at the end: the data set is left as it was).
Cases: the invitation preview (count and first rows) with no filter, a sector, a saved view and "never came";
the event page's invited → registered → attended by gender; the check-in list and a search in it; the
events report's two outreach tables.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import clock, p  # noqa: E402
from sqlalchemy import select, text, update  # noqa: E402

from crm import create_app  # noqa: E402
from crm.clock import today  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.models import Attendance, Contact, Event, Invitation, Registration, SavedView, Sector, User  # noqa: E402


def seed_outreach(staff: User) -> tuple[Event, int]:
    """Mark a fifth of the contacts as e-mailable and give one event its invited, registered and present."""
    db.session.execute(update(Contact).where(Contact.id % 5 == 0).values(email_consent=True))
    event = Event(
        title="Bench: charla", type="awareness", held_on=today() + timedelta(days=9), place="Callao"
    )
    db.session.add(event)
    db.session.flush()
    ids = list(
        db.session.scalars(select(Contact.id).where(Contact.email_consent).order_by(Contact.id).limit(1000))
    )
    db.session.add_all(Invitation(event_id=event.id, contact_id=i) for i in ids)
    db.session.add_all(Registration(event_id=event.id, contact_id=i, source="invitation") for i in ids[:600])
    db.session.add_all(Attendance(event_id=event.id, contact_id=i) for i in ids[:400])
    view = SavedView(user_id=staff.id, page="organisations", name="Bench", query="q=fundicion")
    db.session.add(view)
    db.session.flush()
    return event, view.id


def cases(staff: User, event: Event, view_id: int) -> dict[str, Callable]:
    """Return the timed cases."""
    from crm.events import checkin, funnel, invite
    from crm.reports import events as report
    from crm.reports.filters import ReportFilters

    sector = db.session.scalar(
        select(Sector.id).where(Sector.parent_id.is_(None)).order_by(Sector.code).limit(1)
    )

    def preview(**args: str) -> Callable:
        filters = invite.parse_filters(args)
        return lambda: invite.preview(staff, event, filters)

    return {
        "invite preview, no filter": preview(),
        "invite preview, one sector": preview(sector=str(sector)),
        "invite preview, saved view": preview(view=str(view_id)),
        "invite preview, never came": preview(attended="none"),
        "event page funnel by gender": lambda: funnel.event_funnel(event.id),
        "check-in list, page 1 + counts": lambda: (
            checkin.registered_page(event.id, "", False, 1),
            checkin.counts(event.id),
        ),
        "check-in search 'quispe'": lambda: checkin.registered_page(event.id, "quispe", False, 1),
        "events report, outreach tables": lambda: (
            report.funnel_table(ReportFilters()),
            report.gender_table(ReportFilters()),
        ),
    }


def main() -> None:
    """Run the timings and print one line per case."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://")
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.test_request_context():
        staff = db.session.scalars(select(User).where(User.role == "staff").order_by(User.id)).first()
        contacts = db.session.execute(text("SELECT count(*) FROM contacts")).scalar()
        event, view_id = seed_outreach(staff)
        print(f"{contacts} contacts; event {event.id} with 1,000 invited, 600 registered, 400 present")
        for name, case in cases(staff, event, view_id).items():
            case()  # warm-up
            times = [clock(case)[0] for _ in range(args.runs)]
            print(f"{name:34} p50 {p(times, 0.5):7.1f} ms  p95 {p(times, 0.95):7.1f} ms", flush=True)
        db.session.rollback()  # the data set is left as generated


if __name__ == "__main__":
    main()
