"""The public pages that are one module each: advice, search, feedback, figures, site-wide routes."""
