"""Training modules: the reference list, its administration and the counts per module and theme."""
