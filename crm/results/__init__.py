"""Measured results: baselines, measures adopted and their reductions, factors, and the gap to target."""
