from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatyConfig(AppConfig):
    name = "article6.treaty"
    label = "treaty"
    verbose_name = _("The Convention's obligations and deadlines")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from article6.states.models import State
        from article6.treaty import queries
        from article6.treaty.models import Meeting, ObligationFact

        # The States' clocks are kept a minute (treaty.queries.all_clocks); a change to what
        # they are computed from is seen at once in the process that makes it.
        for model in (State, ObligationFact, Meeting):
            post_save.connect(queries.forget_clocks, sender=model, dispatch_uid=f"forget_clocks_{model.__name__}_save")
            post_delete.connect(
                queries.forget_clocks, sender=model, dispatch_uid=f"forget_clocks_{model.__name__}_delete"
            )
