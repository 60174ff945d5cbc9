"""Exports: the one CSV/XLSX cell writer (writer) and the list exports (views)."""
