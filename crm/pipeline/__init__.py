"""The participation pipeline: programmes, engagements, the board."""
