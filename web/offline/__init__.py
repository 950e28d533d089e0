"""Offline reading: the service worker's build, the offline pages, the web app manifest and its icons."""
