"""Letters, their documents and co-finance materialisation."""
