"""Probable duplicates and merging two records into one."""
