"""App configuration for the catalogue: the signals that keep derived data true."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation catalogue")

    def ready(self):
        from . import caching, derived, history  # noqa: F401 -- history names its reasons

        # After every migrate, the Curators group exists and has the permissions of every model.
        post_migrate.connect(grant_curators, sender=self)
        # Every write to the catalogue bumps its version, which pages are cached against, and
        # keeps the derived data (search text, countries) of the agreements it touches true.
        caching.connect_signals()
        derived.connect_signals()
        # Failed logins counted per address and per account (cooperation.logins).
        from django.contrib.auth.signals import user_login_failed

        from .logins import failed_login

        user_login_failed.connect(failed_login, dispatch_uid="cooperation-failed-login")


def grant_curators(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    from .curators import ensure_curators_group

    ensure_curators_group(Group, Permission, using=using)
