"""App configuration for the catalogue."""

from django.apps import AppConfig


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation catalogue"
