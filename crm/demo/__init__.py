"""Demo data: a realistic, fictional data set for trying the CRM (`flask crm seed-demo`)."""
