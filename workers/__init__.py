"""RQ jobs, the periodic-job list and the worker entry points (import-safe)."""
