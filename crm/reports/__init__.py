"""Manager reports: funnel, conversion, cohorts, time in stage, co-finance, results, events, trends."""
