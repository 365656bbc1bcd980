from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from article6.assistance.models import (
    Commitment,
    CommitmentNeed,
    CommitmentPillar,
    DigestSent,
    ExchangeRate,
    Flow,
    Match,
    Need,
    NeedAttachment,
    NeedYear,
    Offer,
)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    """The rates amounts are shown in US dollars with; also loaded from CSV (`article6 import-rates`)."""

    list_display = ("currency", "year", "usd_per_unit", "source")
    list_filter = ("currency",)
    search_fields = ("currency", "source")


class NeedYearInline(admin.TabularInline):
    model = NeedYear
    extra = 0


class NeedAttachmentInline(admin.TabularInline):
    model = NeedAttachment
    extra = 0
    fields = ("name", "size", "uploaded_by", "uploaded")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # evidence is added from the need's page, where its kind and size are checked


@admin.register(Need)
class NeedAdmin(SimpleHistoryAdmin):
    list_display = ("title", "state", "pillar", "modality", "amount", "currency", "status", "visibility", "is_sample")
    list_filter = ("status", "pillar", "modality", "visibility", "is_sample")
    search_fields = ("title", "state__name")
    autocomplete_fields = ("state",)
    readonly_fields = ("status", "covered_amount", "created_by")
    inlines = [NeedYearInline, NeedAttachmentInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = ("title", "provider_state", "provider_organisation", "amount_per_year", "currency", "is_active")
    list_filter = ("is_active", "visibility", "is_sample")
    search_fields = ("title",)
    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PillarInline(admin.TabularInline):
    model = CommitmentPillar
    extra = 0


class FlowInline(admin.TabularInline):
    model = Flow
    extra = 0
    fields = ("kind", "year", "date", "amount", "description")


class CommitmentNeedInline(admin.TabularInline):
    model = CommitmentNeed
    extra = 0
    autocomplete_fields = ("need",)


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = (
        "title",
        "provider_state",
        "provider_organisation",
        "provider_name",
        "recipient",
        "currency",
        "source",
    )
    list_filter = ("channel", "cluster_munition_specific", "is_sample")
    search_fields = ("title", "provider_name", "source", "recipient__name")
    autocomplete_fields = ("recipient",)
    inlines = [PillarInline, FlowInline, CommitmentNeedInline]

    def save_related(self, request, form, formsets, change):
        # Each inline row's signal would compute the figures again (assistance.signals): once, at the end.
        from article6.assistance.queries import figures_once

        with figures_once():
            super().save_related(request, form, formsets, change)


@admin.register(Match)
class MatchAdmin(SimpleHistoryAdmin):
    list_display = ("need", "offer", "score", "possible", "need_side", "offer_side", "proposed", "declined_on")
    list_filter = ("need_side", "offer_side")
    readonly_fields = ("score", "possible", "reasons", "proposed_by", "declined_on")


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    """The record of digests sent: written by the command only."""

    list_display = ("week", "recipient", "need_count", "sent")
    readonly_fields = ("week", "recipient", "need_count", "sent")

    def has_add_permission(self, request):
        return False
