"""The project package and the bottom layer every app may use."""

from .celery import app as celery_app

__all__ = ["celery_app"]
