"""What operators run, never on the request path: backups, the static export, key rotation."""
