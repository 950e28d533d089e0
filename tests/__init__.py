"""Fast tests, in-process, no browser: one folder per area of web/, whole-site properties at the top."""
