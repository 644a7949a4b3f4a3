"""Each experiment's config and its notebook's `parameters` cell define the same names and defaults."""
import pytest

from verified_collapse.tools.runner import EXPERIMENTS, experiment_config, notebooks_dir
from verified_collapse.tools.notebook_params import notebook_params


def _cell_line(name, info):
    "The line the parameters cell needs for a config field."
    return f"{name}: {info['type']} = {info['default']!r}  # {info['help']}"


@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_parameters_cell_matches_config(key):
    config = experiment_config(key)
    assert config is not None, f"experiment {key!r} has no config"
    cell = notebook_params(notebooks_dir() / EXPERIMENTS[key]["notebook"])
    fields = config.help()
    missing = [_cell_line(n, fields[n]) for n in fields if n not in cell]
    extra = sorted(set(cell) - set(fields))
    assert not missing, f"{EXPERIMENTS[key]['notebook']}: add to the parameters cell:\n" + "\n".join(missing)
    assert not extra, f"{EXPERIMENTS[key]['notebook']}: parameters {extra} are not fields of {config.__name__}"
    differ = {n: (cell[n]["default"], fields[n]["default"]) for n in fields if cell[n]["default"] != fields[n]["default"]}
    assert not differ, f"{EXPERIMENTS[key]['notebook']}: defaults differ (cell, config): {differ}"



def test_every_parameter_has_its_help():
    "Each field of each experiment's config, and of the generations parts, has a comment: `--help-params` prints it."
    from verified_collapse.beyond import PARTS
    configs = [experiment_config(k) for k in EXPERIMENTS] + list(PARTS.values())
    missing = [f"{c.__name__}.{n}" for c in configs for n, h in c.help().items() if not h["help"]]
    assert not missing, f"fields without a comment: {missing}"
