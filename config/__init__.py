"""The Django project of Cooperation Atlas: settings, root URLs, WSGI and ASGI entry points."""
