"""--baseline REF.json: a report's JSON from an earlier run (say, the previous kernel
version), to mark which verdicts changed.

Runs are matched by what they ran on (platform, build, boot path); when each side has
exactly one run they are compared whatever they ran on. Reads this report's JSON
(schema 2 and later) and the flat record list of the first report version."""

import json
from dataclasses import dataclass, field


@dataclass
class BaselineRun:
    run_id: str
    label: str
    key: tuple            # (platform, build, boot path)
    verdicts: dict[int, str] = field(default_factory=dict)   # experiment -> verdict value


@dataclass
class Baseline:
    path: str
    generated: str | None
    runs: list[BaselineRun]


class BaselineError(Exception):
    pass


def load_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise BaselineError(f"the baseline {path} is not JSON: {error}") from error
    try:
        if isinstance(data, list):
            return Baseline(path, None, _runs_from_records(data))
        return Baseline(path, data.get("generated"), [_run_from_report(run) for run in data["runs"]])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BaselineError(f"the baseline {path} is not a report's JSON: {error!r}") from error


def _run_from_report(run: dict) -> BaselineRun:
    banner = run.get("banner") or {}
    key = (banner.get("platform"), banner.get("arch"), run.get("boot"))
    verdicts = {int(r["experiment"]): str(r["verdict"]) for r in run.get("results", [])}
    return BaselineRun(str(run["id"]), str(run.get("label", run["id"])), key, verdicts)


def _runs_from_records(records: list) -> list[BaselineRun]:
    """The first report's JSON: one record per experiment per run."""
    runs: dict[str, BaselineRun] = {}
    for record in records:
        run_id = str(record["run_id"])
        run = runs.get(run_id)
        if run is None:
            key = (record.get("platform"), record.get("build"), record.get("boot"))
            run = runs[run_id] = BaselineRun(run_id, str(record.get("label", run_id)), key)
        run.verdicts[int(record["experiment"])] = str(record["verdict"])
    return list(runs.values())


def match_runs(baseline: Baseline, keys: list[tuple]) -> list[BaselineRun | None]:
    """The baseline run for each current run (by key, the n-th with a key matching the
    n-th current run with it), or None."""
    if len(baseline.runs) == 1 and len(keys) == 1:
        return [baseline.runs[0]]
    taken: set[int] = set()
    matched: list[BaselineRun | None] = []
    for key in keys:
        index = next((i for i, run in enumerate(baseline.runs) if i not in taken and run.key == key), None)
        if index is None:
            matched.append(None)
        else:
            taken.add(index)
            matched.append(baseline.runs[index])
    return matched
