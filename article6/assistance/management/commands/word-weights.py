"""`article6 word-weights [--rebuild]`: when the matching's word weights were built, and
from how many offer descriptions; `--rebuild` freezes them anew from the active offers."""

from django.core.management.base import BaseCommand

from article6.assistance import matching
from article6.assistance.models import WordWeights


class Command(BaseCommand):
    help = (
        "Say when the weights of the words that the matching compares were built. They are frozen, so that "
        "publishing an offer moves no pair's score; --rebuild builds them anew from the active offers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="build them anew from the active offers")

    def handle(self, *args, **options):
        if options["rebuild"]:
            matching.build_word_weights()
        kept = WordWeights.objects.first()
        if kept is None:
            self.stdout.write("Not built yet: the first suggestions page builds them (or give --rebuild).")
            return
        terms = len(kept.frequencies)
        self.stdout.write(
            f"Built {kept.built:%Y-%m-%d %H:%M} UTC from {kept.documents} offer description"
            f"{'s' if kept.documents != 1 else ''} ({terms} term{'s' if terms != 1 else ''})."
        )
