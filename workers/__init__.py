"""The worker and scheduler entry points and the periodic-job list (the jobs live in crm/, by feature)."""
