"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi (with `flask crm worker|scheduler`)."""

from crm import create_app
from workers.worker import init_cli

app = create_app()
init_cli(app)
