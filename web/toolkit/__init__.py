"""The communications toolkit: posters, images, a leaflet, documents and one archive for each police force."""
