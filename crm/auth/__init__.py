"""Sign-in, sign-out and personal preferences."""
