"""The communications toolkit: posters and social images for each police force, and their page."""
