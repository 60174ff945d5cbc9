"""Agreements between organisations: clean production agreements (APL) and their parties."""
