"""Content, loaded and checked without HTTP: Markdown pages, film scripts, phone numbers, police forces.

Pure code: nothing here knows about HTTP or Starlette.
"""

from web.content.library import ContentLibrary, load_library
from web.content.page import ContentError, Page, Source

__all__ = ["ContentError", "ContentLibrary", "Page", "Source", "load_library"]
