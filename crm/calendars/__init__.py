"""Calendars: a personal ICS feed (secret, revocable URL) and an .ics file for every event."""
