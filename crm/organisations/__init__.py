"""The organisations feature: companies, associations and other stakeholders, and memberships."""
