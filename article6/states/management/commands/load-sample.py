from django.core.management.base import BaseCommand

from article6.states.sample import load_sample, remove_sample


class Command(BaseCommand):
    help = "Load the fictional sample data used for demonstrations (flagged as sample everywhere)."

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="remove the sample data instead")

    def handle(self, *args, **options):
        if options["remove"]:
            self.stdout.write(f"sample records removed: {remove_sample()}")
            return
        created = load_sample()
        self.stdout.write(f"sample data loaded ({created} created); every sample record is flagged as fictional")
