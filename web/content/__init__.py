"""Content: Markdown pages with front matter, loaded, rendered and checked.

Pure code: nothing here knows about HTTP or Starlette.
"""

from web.content.library import ContentLibrary, load_library
from web.content.page import ContentError, Page, Source

__all__ = ["ContentError", "ContentLibrary", "Page", "Source", "load_library"]
