"""Global search: organisations, contacts, interactions, letters and events, in the user's scope."""
