"""Browser tests in real Chromium: axe, keyboard, no JavaScript, offline, the shared device, one check a file."""
