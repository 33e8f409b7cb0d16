"""The site benchmark's count of the tasks that ran on each host (scripts/benchmark_site.py enables it).

A task ran on a host when Ansible reports a result of it for that host: ok, changed, failed, skipped or
unreachable, an include and a handler counted like any task (each costs a forked worker on the controller, and
shows as that host's line under the task's banner). Implicit tasks (the `meta: flush_handlers` Ansible adds at
the end of each section of a play) print no banner and are not counted. A task delegated elsewhere counts for the
host it ran for. At the end of the run the counts are written as JSON to $LIBRECHAT_BENCH_COUNTS:
`{"plays": [{"name": ..., "hosts": {host: {"tasks": n, "skipped": n, "names": [task, ...]}}}]}`.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "host_counts"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plays: list[dict] = []
        # each task's wall time, from its banner to the next one's (the controller's whole cost of the task)
        self._tasks: list[list] = []

    def _mark(self, name: str) -> None:
        now = time.monotonic()
        if self._tasks:
            self._tasks[-1][1] = round(now - self._tasks[-1][1], 3)
        self._tasks.append([name, now])

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._mark(task.get_name())

    def v2_playbook_on_handler_task_start(self, task):
        self._mark(task.get_name())

    def v2_playbook_on_play_start(self, play):
        self._mark(f"play: {play.get_name()}")
        self._plays.append({"name": play.get_name(), "hosts": {}})

    def _count(self, result, skipped: bool = False) -> None:
        if getattr(result._task, "implicit", False) or not self._plays:
            return
        counts = self._plays[-1]["hosts"].setdefault(result._host.get_name(), {"tasks": 0, "skipped": 0, "names": []})
        counts["tasks"] += 1
        counts["names"].append(result._task.get_name() + (" (skipped)" if skipped else ""))
        counts["skipped"] += int(skipped)

    def v2_runner_on_ok(self, result):
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result)

    def v2_runner_on_skipped(self, result):
        self._count(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._count(result)

    def v2_playbook_on_stats(self, stats):
        self._mark("end")
        path = os.environ.get("LIBRECHAT_BENCH_COUNTS")
        if path:
            with open(path, "w", encoding="utf-8") as out:
                json.dump({"plays": self._plays, "seconds": self._tasks[:-1]}, out)
