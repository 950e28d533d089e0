"""The launch: partners' move from Let's Talk About It, the public figures, the soft launch's feedback forms.

`routes()` (routes.py) lists its routes for web/app.py: the partners' page and its checker, partners'
feedback, "What did you think of this site?" and "How this site is measured".
"""
