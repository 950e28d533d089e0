"""The page shell: rendering in the site's layout, templates, navigation, languages, assets and error pages."""
