"""The start page: each user's work list."""
