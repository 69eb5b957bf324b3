"""docs/catalogue.json (written by tests/catalogue_json.c from experiments/catalogue.c and
experiments/deviations.c): every experiment's title, rule and SDM-derived flag, and the
known deviations, so that a report never depends on what a log happens to contain.

Readers ignore fields they do not know: the catalogue may grow (the deviations will get
their signatures), and every deviation keeps all its fields for the JSON report."""

import json
import os
from dataclasses import dataclass, field

# A catalogue of a newer major schema is read as far as its known fields go, with a warning.
SUPPORTED_SCHEMA = 1

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))),
                            "docs", "catalogue.json")


@dataclass
class Deviation:
    platform: str              # "bochs", "kvm", ...
    platform_banner: str       # "Bochs": what the run's "Platform:" line says
    platform_name: str         # "Bochs 2.7": how the deviation names it
    experiment: int
    note: str
    reference: str
    fields: dict = field(default_factory=dict)   # everything the catalogue says, known or not


@dataclass
class Experiment:
    number: int
    title: str
    rule: str
    sdm_derived: bool
    needs_vmx: bool             # needs the hypervisor (VMX, or SVM for the SVM catalogue)
    anchor: str
    steps: list[tuple[str, str]]   # (context "H"/"G", text in the spec notation)
    catalogue: str = "vmx"         # "vmx", or "svm" (AMD-V, numbers from 101)
    expected_from: str = "silicon" # "silicon", "sdm" or "apm"

    @property
    def manual_derived(self) -> bool:
        """Expected from the SDM or the APM, not from silicon: no silicon result yet."""
        return self.expected_from in ("sdm", "apm")


@dataclass
class Catalogue:
    path: str
    schema_version: int
    project_version: str | None
    document: str
    experiments: dict[int, Experiment]
    deviations: list[Deviation]

    def deviations_for(self, number: int) -> list[Deviation]:
        return [d for d in self.deviations if d.experiment == number]

    def deviation_for_platform(self, banner_platform: str | None, number: int) -> Deviation | None:
        return next((d for d in self.deviations
                     if d.experiment == number and d.platform_banner == banner_platform), None)


class CatalogueError(Exception):
    pass


def _experiment(entry: dict) -> Experiment:
    return Experiment(number=int(entry["number"]), title=str(entry["title"]), rule=str(entry.get("rule", "")),
                      sdm_derived=bool(entry.get("sdm_derived", False)),
                      needs_vmx=bool(entry.get("needs_vmx", True)),
                      anchor=str(entry.get("anchor") or f"experiment-{entry['number']}"),
                      steps=[(str(s.get("context", "")), str(s.get("text", ""))) for s in entry.get("steps", [])],
                      catalogue=str(entry.get("catalogue", "vmx")),
                      expected_from=str(entry.get("expected_from")
                                        or ("sdm" if entry.get("sdm_derived") else "silicon")))


def _deviation(entry: dict) -> Deviation:
    return Deviation(platform=str(entry.get("platform", "")), platform_banner=str(entry.get("platform_banner", "")),
                     platform_name=str(entry.get("platform_name") or entry.get("platform_banner", "")),
                     experiment=int(entry["experiment"]), note=str(entry.get("note", "")),
                     reference=str(entry.get("evidence", entry.get("reference", ""))), fields=dict(entry))


def load_catalogue(path: str = DEFAULT_PATH) -> tuple[Catalogue, list[str]]:
    """The catalogue and warnings about it. Raises CatalogueError if it is unusable."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        experiments = {e.number: e for e in map(_experiment, data["experiments"])}
        deviations = [_deviation(d) for d in data.get("deviations", [])]
        schema = int(data.get("schema_version", 0))
    except OSError as error:
        raise CatalogueError(f"cannot read the catalogue {path}: {error.strerror or error}") from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CatalogueError(f"the catalogue {path} is not usable: {error!r}") from error
    warnings = []
    if schema > SUPPORTED_SCHEMA:
        warnings.append(f"the catalogue {path} has schema version {schema}; this report knows "
                        f"{SUPPORTED_SCHEMA} and reads only the fields it knows")
    return Catalogue(path, schema, data.get("project_version"), str(data.get("document", "docs/experiments.md")),
                     experiments, deviations), warnings
