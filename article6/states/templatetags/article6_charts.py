"""{% load article6_charts %}: a chart's figures as a table, for "Show as table"."""

from django import template

from article6 import chart_theme

register = template.Library()


@register.filter
def chart_table(spec: dict) -> dict:
    return chart_theme.chart_table(spec)
