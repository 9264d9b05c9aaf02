"""The locust users of bench/load.py (loaded by locust; never imports Django).

Personas as in tests/personas.py, each virtual user logs in through the login page (CSRF and all), then mixes:
home, lists (page and API), details, transitions (an enterprise user moves its own hazard 申请验收 ⇄ 退回整改
through the API), an export now and then, and a fresh login now and then. Every request is named, so the
figures come out per kind of request; a login that does not end in the redirect is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "Persona#2026")
GOVERNMENT = ["office", "township_a", "township_b", "regulator"]
ENTERPRISE = ["enterprise_a", "enterprise_b"]
_hazards = json.loads(os.environ.get("LOAD_HAZARDS", "{}"))  # enterprise persona → its hazards in 整改中
_counters = {key: itertools.count() for key in _hazards}
_persona = itertools.count()
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    wait_time = between(*(float(x) for x in os.environ.get("LOAD_WAIT", "1,3").split(",")))

    def on_start(self) -> None:
        n = next(_persona)
        # Two in three users are government staff, one in three an enterprise's.
        self.persona = ENTERPRISE[n % 2] if n % 3 == 2 else GOVERNMENT[n % len(GOVERNMENT)]
        self.hazard = None
        if self.persona in _hazards:
            pool = _hazards[self.persona]
            self.hazard = pool[next(_counters[self.persona]) % len(pool)]
            self.applied = False
        self.detail_ids: list[int] = []
        self.login()
        if self.hazard is not None:  # where an earlier phase's user left it (申请验收 or 整改中)
            status = self.client.get(f"/api/v1/hazards/{self.hazard}/", name="detail: hazard (API)")
            try:
                self.applied = status.json()["status"] == "applied"
            except (ValueError, KeyError, TypeError):
                pass

    def login(self) -> None:
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="login page")
        match = _CSRF.search(page.text or "")
        with self.client.post("/accounts/login/", name="login",
                              data={"username": self.persona, "password": PASSWORD,
                                    "csrfmiddlewaretoken": match[1] if match else ""},
                              headers={"Referer": self.host + "/accounts/login/"},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login {self.persona}: {response.status_code}")

    def _csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}

    @task(6)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(5)
    def hazard_list(self) -> None:
        self.client.get("/hazards/", name="list: hazards (page)")
        self.client.get("/hazards/figures/cards/", name="list: hazards, its figures (HTMX, on load)")

    @task(5)
    def hazard_api(self) -> None:
        response = self.client.get("/api/v1/hazards/", name="list: hazards (API)")
        try:
            self.detail_ids = [row["id"] for row in response.json()["results"]][:20]
        except (ValueError, KeyError, TypeError):
            pass

    @task(3)
    def enterprise_list(self) -> None:
        self.client.get("/enterprises/", name="list: enterprises (page)")

    @task(2)
    def escalation_board(self) -> None:
        if self.persona in GOVERNMENT:
            self.client.get("/escalation/", name="list: 督办台")

    @task(6)
    def detail(self) -> None:
        if self.detail_ids:
            self.client.get(f"/hazards/{random.choice(self.detail_ids)}/", name="detail: hazard")

    @task(4)
    def transition(self) -> None:
        if self.hazard is None:
            return
        if self.applied:
            body = {"to": "rectifying", "note": "压力测试：退回整改"}
        else:
            body = {"to": "applied", "result": "压力测试：已整改"}
        with self.client.post(f"/api/v1/hazards/{self.hazard}/transition/", name="transition: hazard",
                              data=json.dumps(body), headers={**self._csrf(), "Content-Type": "application/json"},
                              catch_response=True) as response:
            if response.status_code == 200:
                self.applied = not self.applied
            else:
                response.failure(f"transition {response.status_code}: {response.text[:200]}")
                status = self.client.get(f"/api/v1/hazards/{self.hazard}/", name="detail: hazard (API)")
                try:
                    self.applied = status.json()["status"] == "applied"
                except (ValueError, KeyError, TypeError):
                    pass

    @task(1)
    def export(self) -> None:
        # What staff export: the overdue major hazards of their scope (the whole list of a province office would be
        # 10 million rows; exports are capped at ScopedListView.export_limit).
        self.client.get("/hazards/?export=xlsx&grade=major&overdue=true", name="export: hazards .xlsx")

    @task(1)
    def relogin(self) -> None:
        self.login()
