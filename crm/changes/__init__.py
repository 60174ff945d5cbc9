"""Restoring fields of the change history to their earlier values."""
