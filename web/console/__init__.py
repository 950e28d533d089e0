"""The officers' console: a separate ASGI app that holds the private key and opens concerns."""
