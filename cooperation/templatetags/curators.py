"""What the admin's index tells curators first: the readers' reports waiting for them."""

from django import template

from ..models import Report, ReportStatus

register = template.Library()


@register.simple_tag
def new_reports():
    return Report.objects.filter(status=ReportStatus.NEW).count()
