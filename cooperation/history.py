"""What every record's history says of a change it did not get from the admin: which command,
and from what (the fixture files' commit, the press release), kept by django-simple-history."""

from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.signals import pre_create_historical_record

_reason = ContextVar("history_reason", default=None)


@contextmanager
def changes_made_by(reason):
    """Within this block every history entry says `reason` ("reload_fixtures, fixtures at
    3f2a9c1"), unless the change gave its own."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def _name_the_reason(sender, history_instance, **kwargs):
    reason = _reason.get()
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason[:100]


pre_create_historical_record.connect(_name_the_reason, dispatch_uid="cooperation-history-reason")
