"""The HTTP service: the explanation page, the JSON API and CDS Hooks 2.0 (``tadlog serve``).

Needs the ``serve`` extra (Starlette, uvicorn, jsonschema). ``create_app()`` gives the ASGI app.
"""
