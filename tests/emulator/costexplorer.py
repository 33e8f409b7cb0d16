"""Cost Explorer's cost-allocation-tag calls, which moto's `ce` lacks: ListCostAllocationTags and
UpdateCostAllocationTagsStatus (awsJson1_1, `X-Amz-Target: AWSInsightsIndexService.<Op>`). Every other Cost
Explorer call goes on to moto.

AWS lists a user-defined tag key only once billing has seen it on a resource (up to 24 hours after it was applied),
so the emulator lists nothing until a test declares the keys billing has seen (`POST /_emulator/cost_allocation_tags`
`{"keys": [...]}`): each declared key is listed `Inactive`, type `UserDefined`, until it is activated. State is per
account (Cost Explorer is global: one list per account, whatever region a request is signed for)."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass

from .api import ApiError, validation_error

# An Errors entry for a key that is not listed: the code and wording AWS uses are an **assumption** (FIDELITY.md);
# the collection never sends such a key.
UNLISTED_CODE = "TagKeyNotFound"


@dataclass
class CostAllocationTag:
    key: str
    status: str = "Inactive"
    kind: str = "UserDefined"
    last_updated: str | None = None
    last_used: str | None = None

    def to_api(self) -> dict:
        answer = {"TagKey": self.key, "Type": self.kind, "Status": self.status}
        if self.last_updated:
            answer["LastUpdatedDate"] = self.last_updated
        if self.last_used:
            answer["LastUsedDate"] = self.last_used
        return answer


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class CostExplorer:
    """Every account's cost allocation tags."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.tags: dict[str, dict[str, CostAllocationTag]] = {}

    # ------------------------------------------------------------------ control
    def declare_seen(self, account: str, keys: list[str]) -> dict:
        """Billing has seen these keys on a resource: list them (Inactive unless already listed)."""
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise ValueError("keys must be a list of non-empty strings")
        with self.lock:
            held = self.tags.setdefault(account, {})
            for key in keys:
                held.setdefault(key, CostAllocationTag(key, last_used=_now()))
        return self.snapshot()

    def snapshot(self) -> dict:
        with self.lock:
            return {
                account: {key: tag.status for key, tag in sorted(held.items())} for account, held in self.tags.items()
            }

    # ------------------------------------------------------------------ API
    def list_cost_allocation_tags(self, account: str, params: dict) -> dict:
        wanted_keys = params.get("TagKeys")
        with self.lock:
            found = [
                tag
                for key, tag in sorted(self.tags.get(account, {}).items())
                if (wanted_keys is None or key in wanted_keys)
                and params.get("Status") in (None, tag.status)
                and params.get("Type") in (None, tag.kind)
            ]
        # Pages of MaxResults (the model's limit of 100 items per answer when not given); the token is the offset.
        size = min(params.get("MaxResults") or 100, 100)
        token = params.get("NextToken")
        try:
            start = int(token) if token else 0
        except ValueError as e:
            raise ApiError("InvalidNextTokenException", "The pagination token is invalid.") from e
        page = found[start : start + size]
        answer = {"CostAllocationTags": [tag.to_api() for tag in page]}
        if start + size < len(found):
            answer["NextToken"] = str(start + size)
        return answer

    def update_cost_allocation_tags_status(self, account: str, params: dict) -> dict:
        entries = params["CostAllocationTagsStatus"]
        keys = [entry["TagKey"] for entry in entries]
        if len(set(keys)) != len(keys):
            raise validation_error("CostAllocationTagsStatus holds a tag key more than once")
        errors = []
        with self.lock:
            held = self.tags.get(account, {})
            for entry in entries:
                tag = held.get(entry["TagKey"])
                if tag is None:
                    errors.append(
                        {
                            "TagKey": entry["TagKey"],
                            "Code": UNLISTED_CODE,
                            "Message": f"The tag key {entry['TagKey']} is not a cost allocation tag of this account.",
                        }
                    )
                    continue
                if tag.status != entry["Status"]:
                    tag.status = entry["Status"]
                    tag.last_updated = _now()
        return {"Errors": errors}


HANDLERS = {
    "ListCostAllocationTags": CostExplorer.list_cost_allocation_tags,
    "UpdateCostAllocationTagsStatus": CostExplorer.update_cost_allocation_tags_status,
}
