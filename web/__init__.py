"""The site's Python package: app.py builds the public site, cli.py has its commands; one folder an area."""
