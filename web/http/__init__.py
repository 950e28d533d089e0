"""HTTP plumbing every request passes: security headers, caching, limits, form guards, the access log."""
