"""Report a mistake: a reader tells the curators what is wrong with a page. The form works
without JavaScript, under the site's policy, with CSRF, a honeypot field and a limit per
address; a report lands in the curators' queue in the admin and is never shown to readers."""

import time

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from ..logins import client_address
from ..models import Agency, Agreement, Country, Event, Mission, Person, Report, Source, Theme

# The records a report may be about, by the name `?record=` gives them ("agreement.<slug>").
REPORTABLE = {
    model._meta.model_name: model
    for model in (Agreement, Agency, Person, Mission, Event, Country, Theme, Source)
}


class ReportForm(forms.Form):
    problem = forms.CharField(
        label=_("What is wrong?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Say what the page gets wrong, and if you can, where the source says otherwise."
        ),
    )
    correction = forms.CharField(
        label=_("Suggested correction (optional)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        required=False,
        help_text=_("Only if you would like an answer; it is seen by the curators alone."),
    )
    # Left empty by people, who never see it; filled by the robots that fill every field.
    website = forms.CharField(label=_("Leave this empty"), required=False)


def reported_record(raw):
    """The record `agreement.<slug>` names, or None for the site as a whole; 404 if it names
    nothing."""
    if not raw:
        return None
    kind, _dot, key = raw.partition(".")
    model = REPORTABLE.get(kind)
    if model is None:
        raise Http404(_("No record of that kind."))
    try:
        return model.objects.get_by_natural_key(key)
    except (model.DoesNotExist, ValueError) as error:
        raise Http404(_("No record of that name.")) from error


def over_limit(request):
    """Whether this address has sent more reports this hour than READER_REPORTS_PER_HOUR; each
    sending counts, stored or not."""
    address = client_address(request)
    key = f"reports:{address}:{int(time.time() // 3600)}"
    store = caches["throttle"]
    store.add(key, 0, timeout=3600)
    try:
        sent = store.incr(key)
    except ValueError:  # evicted between add and incr
        store.set(key, 1, timeout=3600)
        sent = 1
    return sent > settings.READER_REPORTS_PER_HOUR


@never_cache
def report(request):
    raw = request.GET.get("record", "")
    record = reported_record(raw)
    if request.method == "POST":
        if over_limit(request):
            return render(request, "cooperation/report_limit.html", status=429)
        form = ReportForm(request.POST)
        if form.is_valid():
            if not form.cleaned_data["website"]:
                Report.objects.create(
                    record=record,
                    record_label=str(record) if record is not None else "",
                    page=record.get_absolute_url() if record is not None else "",
                    problem=form.cleaned_data["problem"],
                    correction=form.cleaned_data["correction"],
                    email=form.cleaned_data["email"],
                    language=get_language() or "",
                )
            thanks = reverse("cooperation:report_thanks")
            return redirect(f"{thanks}?{urlencode({'record': raw})}" if raw else thanks)
    else:
        form = ReportForm()
    return render(
        request,
        "cooperation/report_form.html",
        {"form": form, "record": record, "record_ref": raw},
        status=400 if form.is_bound else 200,
    )


def thanks(request):
    record = reported_record(request.GET.get("record", ""))
    return render(request, "cooperation/report_thanks.html", {"record": record})
