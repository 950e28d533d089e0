"""Share a concern: the online form and the call-back request, their questions and their routes."""
