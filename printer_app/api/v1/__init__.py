"""The JSON API /api/v1 (FastAPI, mounted by app.py): routes, auth, problems, paging, health, docs."""
