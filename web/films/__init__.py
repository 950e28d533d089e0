"""The films: their pages and media, and the build of the stand-in videos from their scripts."""
