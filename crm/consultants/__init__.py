"""The national registry of qualified consultants."""
