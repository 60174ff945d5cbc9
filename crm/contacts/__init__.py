"""The contacts feature."""
