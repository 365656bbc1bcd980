"""The load test's clients (run by bench/load.py, in the Locust virtual environment
.venv-bench, never the project's). `Reader`: the public pages and the API, anonymous, one
after another in a random order, the trivial view among them. `Writer`: a State focal point
saving a report as it types (the online form's autosave), filing needs and a partner
recording commitments (both through the API with read-write tokens), in turn. What each
client needs (URLs, session cookies, tokens, the report) is in the plan, a JSON file named by
BENCH_PLAN."""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, constant, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115 (read once, at import)
_writers = itertools.count()


class Reader(HttpUser):
    # No pause: one client is one request after another, 32 load the server fully.
    wait_time = constant(0)

    @task
    def read(self):
        name, url = random.choice(PLAN["reads"])
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class Writer(HttpUser):
    wait_time = between(0.2, 0.6)

    def on_start(self):
        self.number = next(_writers)
        writer = PLAN["writers"][self.number % len(PLAN["writers"])]
        self.need_token = writer["need_token"]
        self.commitment_token = writer["commitment_token"]
        self.client.cookies.set("sessionid", writer["session"])
        # The edit page gives the CSRF cookie, as it does to the browser before its first autosave.
        with self.client.get(
            PLAN["report_edit"], name="GET report edit (CSRF)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:  # a redirect is to the sign-in page: the session is not valid
                response.failure(f"{response.status_code}")
        self.csrf = self.client.cookies.get("csrftoken", "")
        self.round = 0

    @task
    def write(self):
        self.round += 1
        kind = ("autosave", "need", "commitment")[(self.number + self.round) % 3]
        mark = f"writer {self.number}, round {self.round}"
        if kind == "autosave":
            data = dict(PLAN["autosave_form"])
            data[PLAN["autosave_text_field"]] = f"Saved by the load test's {mark}."
            response = self.client.post(
                PLAN["autosave"],
                data=data,
                headers={"X-CSRFToken": self.csrf, "HX-Request": "true", "Referer": self.host + PLAN["report_edit"]},
                name="POST report autosave",
                allow_redirects=False,
                catch_response=True,
            )
        else:
            path, token = (
                ("/api/v1/needs", self.need_token) if kind == "need" else ("/api/v1/commitments", self.commitment_token)
            )
            response = self.client.post(
                path,
                json={**PLAN[kind], "title": f"{PLAN[kind]['title']} {mark}"},
                headers={"Authorization": f"Bearer {token}"},
                name=f"POST {path}",
                allow_redirects=False,
                catch_response=True,
            )
        with response:
            expected = 200 if kind == "autosave" else 201
            if response.status_code != expected or (kind == "autosave" and "Draft saved" not in response.text):
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                response.success()
