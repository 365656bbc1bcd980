from django.conf import settings

from article6.asof import as_of_from_request, today


def site(request):
    """What every page's layout needs: the date the figures are computed for,
    and whether fictional sample data is loaded (for the banner)."""
    from article6.states.sample import sample_data_loaded

    as_of, as_of_error = as_of_from_request(request)
    return {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "as_of_is_today": as_of == today(),
        "sample_data_loaded": sample_data_loaded(),
        "LANGUAGES": settings.LANGUAGES,
    }
