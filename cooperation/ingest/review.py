"""The admin's "Add a press release" and its review page: the release's text with every
proposed quote marked, the proposals grouped by kind, each matched or new, editable, and each
accepted or rejected by the curator."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    AgencyKind,
    AgreementKind,
    AgreementStatus,
    Decision,
    EventKind,
    MissionKind,
    PressRelease,
)
from ..quotes import Passage, locate, mark_passages
from .desk import MODELS, NotAccepted, accept, new_release, read_into_proposals, reject
from .documents import UnreadableDocument, language_of, text_of

GROUPS = [
    ("agency", _("Agencies")),
    ("person", _("People")),
    ("agreement", _("Agreements")),
    ("mission", _("Missions")),
    ("event", _("Events")),
]
# What a curator may change before accepting, per kind: (field, label, choices or None).
EDITABLE = {
    "agency": [
        ("name", _("Name"), None),
        ("acronym", _("Acronym"), None),
        ("country", _("Country (ISO code)"), None),
        ("kind", _("Kind"), AgencyKind.choices),
    ],
    "person": [
        ("name", _("Name"), None),
        ("title", _("Title, as written"), None),
        ("organisation", _("Organisation (name or acronym)"), None),
    ],
    "agreement": [
        ("title", _("Title"), None),
        ("kind", _("Kind"), AgreementKind.choices),
        ("status", _("Status"), AgreementStatus.choices),
        ("parties", _("Parties (names or acronyms, one per line)"), "lines"),
        ("themes", _("Themes (slugs, one per line)"), "lines"),
        ("place", _("Place"), None),
    ],
    "mission": [("name", _("Name"), None), ("kind", _("Kind"), MissionKind.choices)],
    "event": [("name", _("Name"), None), ("kind", _("Kind"), EventKind.choices)],
}


class PressReleaseForm(forms.ModelForm):
    """Paste the text or upload the file; give its URL and date."""

    upload = forms.FileField(
        required=False,
        label=_("Or upload the file"),
        help_text=_("Plain text, HTML (its main text is read) or PDF (its text layer)."),
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90}),
        strip=False,
        label=_("Paste the release's text"),
    )
    language = forms.ChoiceField(
        choices=[("", _("Recognise it")), ("en", _("English")), ("fr", _("French"))],
        required=False,
    )
    title = forms.CharField(
        required=False, max_length=300, help_text=_("Leave empty to take the release's first line.")
    )
    url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where it was published."),
    )

    class Meta:
        model = PressRelease
        fields = ["text", "upload", "title", "url", "published_on", "publisher", "language"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        try:
            if upload:
                text = text_of(upload.read(), upload.name)
                cleaned["file_name"] = upload.name
            elif (cleaned.get("text") or "").strip():
                text = text_of(cleaned["text"].encode("utf-8"))
            else:
                raise ValidationError(_("Paste the release's text or upload its file."))
        except UnreadableDocument as error:
            raise ValidationError(str(error)) from error
        language = cleaned.get("language") or language_of(text)
        if not language:
            raise ValidationError(
                _(
                    "The text reads as neither English nor French: choose its language if it "
                    "is one of them; the assistant reads no other."
                )
            )
        cleaned["text"], cleaned["language"] = text, language
        return cleaned


class PressReleaseAdmin(admin.ModelAdmin):
    form = PressReleaseForm
    list_display = ["title", "added_at", "waiting", "accepted", "source"]
    search_fields = ["title", "url"]
    list_select_related = ["source"]
    add_form_template = "admin/cooperation/pressrelease/add_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                waiting_count=Count("proposals", filter=Q(proposals__decision=Decision.PENDING)),
                accepted_count=Count("proposals", filter=Q(proposals__decision=Decision.ACCEPTED)),
            )
        )

    @admin.display(description="To review", ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description="Accepted", ordering="accepted_count")
    def accepted(self, obj):
        return obj.accepted_count

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        release = new_release(
            text=data["text"],
            title=data.get("title") or "",
            url=data.get("url") or "",
            published_on=data.get("published_on"),
            publisher=data.get("publisher") or "CNES",
            language=data["language"],
            file_name=data.get("file_name", ""),
            user=request.user,
        )
        obj.pk = release.pk
        obj.__dict__.update({k: v for k, v in release.__dict__.items() if not k.startswith("_")})

    def response_add(self, request, obj, post_url_continue=None):
        waiting = obj.proposals.filter(decision=Decision.PENDING).count()
        messages.success(
            request,
            ngettext(
                "The release was read: %(count)d proposal to review.",
                "The release was read: %(count)d proposals to review.",
                waiting,
            )
            % {"count": waiting},
        )
        return redirect("admin:cooperation_pressrelease_change", obj.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        release = get_object_or_404(PressRelease, pk=object_id)
        if not self.has_view_permission(request, release):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, release):
                raise PermissionDenied
            return self.decide(request, release)
        return TemplateResponse(
            request,
            "admin/cooperation/pressrelease/review.html",
            self.review_context(request, release),
        )

    def decide(self, request, release):
        here = reverse("admin:cooperation_pressrelease_change", args=[release.pk])
        action = request.POST.get("action")
        if action == "reread":
            waiting = read_into_proposals(release)
            messages.success(
                request,
                ngettext(
                    "Read again: %(count)d proposal to review (rejected ones stay rejected).",
                    "Read again: %(count)d proposals to review (rejected ones stay rejected).",
                    waiting,
                )
                % {"count": waiting},
            )
            return redirect(here)
        proposal = release.proposals.filter(pk=request.POST.get("proposal")).first()
        if proposal is None or action not in ("accept", "reject"):
            messages.error(request, gettext("That proposal is not part of this release."))
            return redirect(here)
        anchor = f"{here}#proposal-{proposal.pk}"
        if proposal.decision != Decision.PENDING:
            messages.warning(
                request,
                gettext("“%(label)s” was already %(decision)s.")
                % {"label": proposal.label, "decision": proposal.get_decision_display().lower()},
            )
            return redirect(anchor)
        if action == "reject":
            reject(proposal, request.user)
            messages.success(
                request,
                gettext("Rejected “%(label)s”: it will not be proposed again for this release.")
                % {"label": proposal.label},
            )
            return redirect(anchor)
        try:
            record = accept(proposal, edits_from(request.POST, proposal), request.user)
        except (NotAccepted, ValidationError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(
                request,
                gettext("“%(label)s” was not accepted: %(reason)s")
                % {"label": proposal.label, "reason": text},
            )
            return redirect(anchor)
        messages.success(
            request,
            gettext("Accepted: %(kind)s “%(record)s”.")
            % {"kind": record._meta.verbose_name, "record": record},
        )
        return redirect(anchor)

    def review_context(self, request, release):
        proposals = list(release.proposals.select_related("record_type"))
        passages, marked = [], {}
        for proposal in proposals:
            if proposal.decision == Decision.REJECTED:
                continue
            for number, quote in enumerate(proposal.data.get("quotes") or [proposal.data["quote"]]):
                place = locate(quote, release.text)
                if place:
                    anchor = f"q{proposal.pk}-{number}"
                    passages.append(Passage(*place, anchor))
                    marked.setdefault(proposal.pk, []).append((anchor, quote))
        # The catalogue records proposals match, by kind: one query each.
        existing = {}
        for kind, model in MODELS.items():
            slugs = {p.data.get("existing") for p in proposals if p.kind == kind} - {None}
            if slugs:
                existing[kind] = dict(
                    model.objects.filter(slug__in=slugs).values_list("slug", "pk")
                )
        groups = []
        for kind, heading in GROUPS:
            rows = [
                review_row(p, marked.get(p.pk, []), existing.get(kind, {}))
                for p in proposals
                if p.kind == kind
            ]
            groups.append(
                {
                    "kind": kind,
                    "heading": heading,
                    "rows": rows,
                    "waiting": sum(1 for r in rows if r["proposal"].decision == "pending"),
                }
            )
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Review: {release.title}",
            "release": release,
            "marked_text": mark_passages(release.text, passages),
            "groups": groups,
            "waiting": sum(g["waiting"] for g in groups),
            "can_change": self.has_change_permission(request, release),
        }


def edits_from(post, proposal):
    edits = {}
    for field, _label, choices in EDITABLE[proposal.kind]:
        name = f"{field}"
        if name not in post:
            continue
        value = post.get(name, "")
        if choices == "lines":
            edits[field] = [line.strip() for line in value.splitlines() if line.strip()]
        elif field in ("country", "organisation"):
            edits[field] = value.strip() or None
        else:
            edits[field] = value.strip()
    return edits


def review_row(proposal, quotes, existing):
    data = proposal.data
    fields = []
    for field, label, choices in EDITABLE[proposal.kind]:
        value = data.get(field)
        if choices == "lines":
            fields.append({"name": field, "label": label, "lines": "\n".join(value or [])})
        elif choices:
            fields.append({"name": field, "label": label, "value": value or "", "choices": choices})
        else:
            fields.append({"name": field, "label": label, "value": value or ""})
    existing_url = None
    if data.get("existing") in existing:
        model = MODELS[proposal.kind]
        existing_url = reverse(
            f"admin:cooperation_{model._meta.model_name}_change", args=[existing[data["existing"]]]
        )
    record_url = None
    if proposal.record_type_id and proposal.record_id:
        record_url = reverse(
            f"admin:cooperation_{proposal.record_type.model}_change", args=[proposal.record_id]
        )
    return {
        "proposal": proposal,
        "data": data,
        "fields": fields,
        "quotes": quotes,
        "existing_url": existing_url,
        "record_url": record_url,
        "date": data.get("date"),
    }
