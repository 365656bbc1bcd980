from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "article6.assistance"
    label = "assistance"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        from article6.accounts import audit
        from article6.assistance import queries, signals
        from article6.assistance.models import Commitment, Match, Need, Offer

        # The audit trail names these records only to those who may see them.
        for model, selector in (
            (Need, queries.needs_for),
            (Offer, queries.offers_for),
            (Commitment, queries.commitments_for),
            (Match, queries.matches_for),
        ):
            audit.restrict(model, selector)
        signals.connect()
