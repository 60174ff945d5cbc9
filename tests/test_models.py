"""Model conventions: every foreign key is indexed, constraints are named, timestamps exist."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint

from crm.extensions import db

# Links between rows (saved_view_defaults: which view a user's list opens with), replaced, not edited.
JOIN_TABLES = {"liaison_associations", "interaction_contacts", "mail_opt_outs", "saved_view_defaults"}
# Append-only rows, never updated: they carry their own time (at, recorded_at, created_at).
LOG_TABLES = {"change_log", "access_log", "stage_transitions", "metric_snapshots"}
# Rows written once and deleted when handed over, never updated: an update time would never be set.
QUEUE_TABLES = {"job_outbox"}
# Rows written once and then only revoked, used or replaced by a new row (credentials, factor versions,
# messages seen in a mailbox), and rows derived from other tables (aggregates, computed lines): no edits
# to time.
WRITE_ONCE_TABLES = {
    "api_tokens",
    "personal_tokens",
    "recovery_codes",
    "user_sessions",
    "emission_factors",
    "mailbox_messages",
}
DERIVED_TABLES = {
    "stage_reach", "company_reach", "company_days", "stage_exits", "stage_stays", "result_lines",
    "reach_tallies", "company_links", "stay_tallies", "cofinance_lines", "exit_tallies", "member_days",
}  # fmt: skip


def leading_columns(table) -> set[str]:
    """Return the first column of every index and of the primary key."""
    firsts = {list(ix.columns)[0].name for ix in table.indexes}
    firsts |= {c.name for c in table.columns if c.unique}
    # A UNIQUE constraint is backed by an index on both databases, so its first column is indexed too.
    firsts |= {list(uc.columns)[0].name for uc in table.constraints if isinstance(uc, UniqueConstraint)}
    return firsts | {list(table.primary_key.columns)[0].name}


def test_every_foreign_key_column_is_indexed():
    missing = [
        f"{table.name}.{fk.parent.name}"
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.parent.name not in leading_columns(table)
        and not (fk.parent.primary_key and len(table.primary_key.columns) == 1)
    ]
    assert missing == []


def test_constraints_follow_the_naming_convention():
    for table in db.metadata.sorted_tables:
        assert table.primary_key.name == f"pk_{table.name}"
        for fk in table.foreign_key_constraints:
            assert fk.name.startswith(f"fk_{table.name}_")


def test_record_tables_carry_timestamps():
    for table in db.metadata.sorted_tables:
        if table.name in JOIN_TABLES | LOG_TABLES | QUEUE_TABLES | WRITE_ONCE_TABLES | DERIVED_TABLES:
            continue
        assert {"created_at", "updated_at"} <= set(table.columns.keys()), table.name
