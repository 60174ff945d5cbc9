"""Imports from spreadsheets: upload, column mapping, preview, commit as a job, undo, and the CLI."""
