"""Webhooks: signed POSTs of CRM events to the URLs users subscribe."""
