"""App configuration for the catalogue."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = "Cooperation catalogue"

    def ready(self):
        # After every migrate, the Curators group gains the permissions of any new model.
        post_migrate.connect(grant_curators, sender=self)
        # Every write to the catalogue bumps its version, which pages are cached against.
        from .caching import connect_signals

        connect_signals()


def grant_curators(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    from .curators import ensure_curators_group

    ensure_curators_group(Group, Permission, using=using)
