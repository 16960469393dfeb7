"""The curated fixture files: read and check them, compare them with the database, apply them.

One JSON file per model holds a list of records. A record names its relations by natural key
(a slug, or a country code), carries its quotes (and a person their roles) inline, and writes
multi-line text as a list of lines. Records are compared in one canonical form, the "state":
a dict in the file's key order, relations as natural keys, lists sorted.

The modules follow the data: `specs` (what each file holds, the canonical form), `reader`
(reading and checking the files), `states` (the database's side), `reload` (planning and
applying a reload), `roundtrip` (what the files last held, and writing them back).
"""

from .reader import read_fixtures
from .reload import ModelPlan, apply_reload, plan_reload
from .roundtrip import (
    Change,
    differences,
    is_fixtures_dir,
    listing,
    lock_catalogue,
    refuse,
    save_snapshot,
    unexported_changes,
    write_fixtures,
)
from .specs import (
    SPEC_FOR_MODEL,
    SPECS,
    ChildSpec,
    FixtureError,
    ModelSpec,
    render,
    to_json_value,
)
from .states import database_catalogue, database_states, natural_keys_by_pk

__all__ = [
    "SPECS",
    "SPEC_FOR_MODEL",
    "Change",
    "ChildSpec",
    "FixtureError",
    "ModelPlan",
    "ModelSpec",
    "apply_reload",
    "database_catalogue",
    "database_states",
    "differences",
    "is_fixtures_dir",
    "listing",
    "lock_catalogue",
    "natural_keys_by_pk",
    "plan_reload",
    "read_fixtures",
    "refuse",
    "render",
    "save_snapshot",
    "to_json_value",
    "unexported_changes",
    "write_fixtures",
]
