"""Co-finance commitment rows, loaded through crm.letters.cofinance.load_commitments."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from crm.errors import UserError
from crm.imports.extras import RowWriteError
from crm.imports.rows import PassContext, RowResult
from crm.letters import cofinance
from crm.text import fold


class CofinanceRows:
    """Check co-finance rows cell by cell; write them with the letters feature's loader."""

    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.counts: dict[str, int] = {}

    def check(self, row: RowResult) -> None:
        """Check every cell, refuse repeated rows and find the co-financier."""
        values = self.parse(row)
        row.label = values["source"]
        key = "|".join(fold(str(v)) for v in values.values())
        if not row.errors and (earlier := self.ctx.first_seen(row, ("row", key))):
            row.error("source", _("This row repeats row %(row)s of the file.", row=earlier))
        if row.errors:
            return
        try:
            item = cofinance.commitment(values, row.number)
        except UserError as exc:
            row.error("source", str(exc))
            return
        row.values = values
        self.match(row, item)

    def parse(self, row: RowResult) -> dict[str, Any]:
        """Return the row with types checked and amounts rewritten as plain decimals."""
        source = row.cells.get("source", "").strip()
        if not source:
            row.error("source", _("The source is empty."))
        values = {"source": source}
        for key, aliases in (
            ("cofinancier_type", cofinance.COFINANCIER_ALIASES),
            ("cofinance_type", cofinance.COFINANCE_ALIASES),
        ):
            raw = row.cells.get(key, "").strip()
            values[key] = aliases.get(cofinance.code(raw), "")
            if not values[key]:
                row.error(key, _("Unknown type “%(value)s”.", value=raw))
        committed = self.ctx.number(row, "committed_usd")
        unreadable = any(key == "committed_usd" for key, _message in row.errors)  # already explained
        if not unreadable and not committed:
            row.error("committed_usd", _("Enter the committed amount (more than zero)."))
        materialised = self.ctx.number(row, "materialized_usd")
        values["committed_usd"] = str(committed or "")
        values["materialized_usd"] = str(materialised or "0")
        return values

    def match(self, row: RowResult, item: cofinance.Commitment) -> None:
        """Say whether the co-financier exists and whether the letter is already recorded."""
        org = cofinance.find_organisation(item)
        if org is None:
            row.action, row.extras = "create", ["organisation"]
            return
        row.target_id, row.target_label = org.id, org.legal_name
        row.action = "unchanged" if cofinance.already_recorded(org.id, item) else "create"

    def chunk(self, rows: list[RowResult]) -> None:
        """Load the chunk's new commitments when applying (each row checked again by the loader)."""
        if not self.ctx.apply:
            return
        for row in rows:
            if row.errors or row.action != "create":
                continue
            try:
                counts = cofinance.load_commitments([row.values], self.ctx.user_id, self.ctx.today)
            except UserError as exc:
                raise RowWriteError(_("Row %(row)s: %(problem)s", row=row.number, problem=str(exc))) from exc
            for key, value in counts.items():
                self.counts[key] = self.counts.get(key, 0) + value
