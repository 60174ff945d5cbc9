"""Writers of outbox rows report how many rows they really wrote (PostgreSQL's driver says -1 for a batch)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.pool import NullPool

from crm.clock import today
from crm.extensions import db
from crm.mail import jobs
from crm.mail.jobs import daily_digests
from crm.models import OutboxMessage, User
from crm.outbox import outbox_row, queue_mails

USERS = 7


def test_daily_digests_return_the_number_of_digest_rows_written(make_user, make_org, build):
    org = make_org("Fundición Acme SAC")
    for i in range(USERS):
        build.follow_up(make_user("staff", email=f"u{i}@pmu.pe"), org, -1, f"Tarea {i}")

    first = daily_digests(today())
    written = db.session.scalar(select(func.count()).where(OutboxMessage.kind == "daily_digest"))
    again = daily_digests(today())

    assert written == USERS
    assert first["daily_digest"] == USERS
    assert again["daily_digest"] == 0  # the same day's digests exist: nothing new


def test_daily_digests_commit_chunk_by_chunk_so_the_first_can_be_sent_while_the_rest_are_written(
    app, make_user, make_org, build, monkeypatch
):
    org = make_org("Fundición Acme SAC")
    for i in range(USERS):
        build.follow_up(make_user("staff", email=f"u{i}@pmu.pe"), org, -1, f"Tarea {i}")
    db.session.commit()
    monkeypatch.setattr(jobs, "DIGEST_CHUNK", 3)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)  # a worker's view
    seen: list[int] = []

    def count_committed(_session) -> None:
        """Note how many digests another connection sees after each commit."""
        with other.connect() as connection:
            seen.append(connection.scalar(select(func.count()).where(OutboxMessage.kind == "daily_digest")))

    event.listen(db.session(), "after_commit", count_committed)
    try:
        result = daily_digests(today())
    finally:
        event.remove(db.session(), "after_commit", count_committed)
        other.dispose()

    assert result["daily_digest"] == USERS
    assert seen[:3] == [3, 6, 7]  # visible to the senders chunk by chunk, before the job ends


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.sets(st.integers(1, 40), max_size=15), wanted=st.lists(st.integers(1, 40), max_size=60))
def test_queue_mails_counts_only_the_new_rows(make_user, existing, wanted):
    user = db.session.scalar(select(User.id).limit(1)) or make_user("staff").id
    db.session.execute(delete(OutboxMessage))

    def rows(ids):
        return [outbox_row("referral", user, "-", {}, subject_type="organisation", subject_id=i) for i in ids]

    queue_mails(rows(sorted(existing)))
    added = queue_mails(rows(wanted))
    db.session.commit()

    assert added == len(set(wanted) - existing)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(existing | set(wanted))
