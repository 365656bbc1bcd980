"""The load test's yardstick: a view that renders a one-line template through the same
middleware as every page, so that a page's time reads as a multiple of what any response
costs on the same machine in the same run (bench/load.py, bench/RESULTS.md).

It is a route only when ARTICLE6_BENCH_TRIVIAL_VIEW is on (off by default): a production
site has no use for it."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path


def trivial(request):
    return render(request, "ops/trivial.html")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial")]
