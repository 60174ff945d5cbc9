"""The interactions feature."""
