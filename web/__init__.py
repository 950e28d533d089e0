"""ACT Early web: the public safeguarding website of Counter Terrorism Policing."""
