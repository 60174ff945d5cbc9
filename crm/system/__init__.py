"""The system feature."""
