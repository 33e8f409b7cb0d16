"""A client for the emulator's control API (/_emulator/...), for tests and scripts. Standard library only."""

from __future__ import annotations

import json
import urllib.request


class Control:
    """Turn the emulator's knobs: `Control(endpoint).config(consistency_reads=2)`."""

    def __init__(self, endpoint: str):
        self.base = endpoint.rstrip("/") + "/_emulator/"

    def _call(self, method: str, route: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.base + route, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def health(self) -> dict:
        return self._call("GET", "health")

    def reset(self) -> dict:
        """Forget every resource, setting, fault and logged call."""
        return self._call("POST", "reset")

    def config(self, **values) -> dict:
        """Change settings and faults (consistency_reads, iam_propagation_attempts, log_delivery_reads,
        agreement_propagation_checks, use_case_form_required, page_size, throttle_every, throttle_services,
        throttle_operations; README.md describes them); returns them all."""
        return self._call("POST", "config", values) if values else self._call("GET", "config")

    def set_availability(self, aws_region: str, model_id: str, **states) -> dict:
        """Set a model's availability in one region: agreement, authorization, entitlement, region."""
        return self._call("POST", "availability", {"aws_region": aws_region, "model_id": model_id, **states})

    def cost_allocation_tags_seen(self, keys: list[str], account: str | None = None) -> dict:
        """Billing has seen these tag keys on a resource: Cost Explorer lists them (Inactive until activated)."""
        payload = {"keys": keys} | ({"account": account} if account else {})
        return self._call("POST", "cost_allocation_tags", payload)

    def state(self) -> dict:
        return self._call("GET", "state")

    def calls(self) -> dict:
        """Every AWS call since the last clear: {"calls": [...], "writes": N, "count": N}."""
        return self._call("GET", "calls")

    def clear_calls(self) -> dict:
        """Start the call log afresh; the throttling count restarts with it."""
        return self._call("DELETE", "calls")
