"""The README's quoted numbers are those of the published cpu run: every paired interval the README quotes in its
findings (`-0.004 [-0.040, +0.033]`) must be one that `results/cpu/` holds -- in its REPORT.md or in a claims.json --
so the two cannot drift apart. A pure file check: nothing runs."""
import json
import re
from decimal import Decimal

from conftest import REPO

from verified_collapse.tools.report import interval_text

SECTIONS = ("What the `cpu` preset measured", "Beyond the paper")  # the README's sections that quote the cpu run
_NUM = r"[+\-\u2212]?\d+\.\d+"  # a signed or unsigned decimal (a typographic minus counts as '-')
INTERVAL = re.compile(rf"({_NUM})\s*\[\s*({_NUM})\s*,\s*({_NUM})\s*\]")  # 'estimate [lo, hi]', across line breaks


def sections(markdown, titles=SECTIONS):
    "Title -> text of each `## title` section of `markdown` named in `titles` (up to the next `## ` heading)."
    out = {}
    for block in re.split(r"^## ", markdown, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        if title.strip() in titles:
            out[title.strip()] = body
    return out


def _number(x):
    "One spelling per quoted number: the sign always written, a zero without one, the digits as quoted."
    d = Decimal(x.replace("\u2212", "-"))
    return f"{abs(d) if d == 0 else d:+f}"


def intervals(text):
    "Every 'estimate [lo, hi]' in `text`, in order, as three normalised strings ('0.012' and '+0.012' are one)."
    return [tuple(_number(g) for g in m.groups()) for m in INTERVAL.finditer(text)]


def shown(interval):
    return f"{interval[0]} [{interval[1]}, {interval[2]}]"


def _claims(obj):
    "Every claim record in a claims.json, the cases of combined claims included."
    if isinstance(obj, list):
        for c in obj:
            yield from _claims(c)
    elif isinstance(obj, dict):
        yield obj
        yield from _claims(obj.get("cases", []))


def published_intervals(root):
    """Every interval `root` holds, normalised: those written in its REPORT.md and claims.json files, and each claim's
    estimate [lo, hi] formatted as the report formats it (`report.interval_text`) at 2, 3 and 4 decimals.
    Returns (the set of intervals, the files looked in)."""
    found, looked = set(), []
    for f in sorted(root.rglob("REPORT.md")) + sorted(root.rglob("claims.json")):
        looked.append(str(f.relative_to(REPO)))
        text = f.read_text()
        found |= set(intervals(text))
        if f.name == "claims.json":
            for c in _claims(json.loads(text)):
                found |= {iv for d in (2, 3, 4) for iv in intervals(interval_text(c, digits=d))}
    return found, looked


def not_found(quoted, found):
    "The quoted (section, interval) pairs whose interval is not in `found`, as lines for a message."
    return [f"{shown(iv)}  (README section {title!r})" for title, iv in quoted if iv not in found]


def test_the_extractor_reads_every_spelling_and_nothing_else():
    text = ("## What the `cpu` preset measured\nfalls by -0.263 [-0.357, -0.168]; a list [1, 2] and 0.5 [x] are no interval.\n"
            "## Beyond the paper\ncontrol is -0.004\n  [-0.040, +0.033], calibration 0.148 [0.133, 0.161], "
            "tie \u22120.000 [-0.010,+0.010].\n## Presets\n+0.1 [0.0, 0.2] is in another section\n")
    got = sections(text)
    assert list(got) == list(SECTIONS)
    assert intervals(got["What the `cpu` preset measured"]) == [("-0.263", "-0.357", "-0.168")]
    assert intervals(got["Beyond the paper"]) == [("-0.004", "-0.040", "+0.033"), ("+0.148", "+0.133", "+0.161"),
                                                  ("+0.000", "-0.010", "+0.010")]
    claim = {"estimate": -0.0041, "lo": -0.04049, "hi": 0.0334}  # as a claims.json records it
    found = set(intervals(interval_text(claim)))
    quoted = [(t, iv) for t, body in got.items() for iv in intervals(body)]
    assert not_found(quoted, found) == [
        "-0.263 [-0.357, -0.168]  (README section 'What the `cpu` preset measured')",
        "+0.148 [+0.133, +0.161]  (README section 'Beyond the paper')",
        "+0.000 [-0.010, +0.010]  (README section 'Beyond the paper')",
    ]


def test_readme_intervals_are_those_of_results_cpu():
    readme = sections((REPO / "README.md").read_text())
    assert set(readme) == set(SECTIONS), f"README.md has no section(s) {sorted(set(SECTIONS) - set(readme))}"
    quoted = [(title, iv) for title, body in readme.items() for iv in intervals(body)]
    found, looked = published_intervals(REPO / "results" / "cpu")
    missing = not_found(quoted, found)
    assert not missing, (f"{len(missing)} of the {len(quoted)} intervals the README quotes are not in results/cpu:\n  "
                         + "\n  ".join(missing) + "\nlooked in: " + ", ".join(looked)
                         + " (each claim's estimate [lo, hi] at 2-4 decimals, and every interval written there)")


def test_readme_opening_intervals_are_those_of_results_quick():
    "The README's opening paragraphs quote the published quick run: every interval there must be one results/quick holds."
    opening = re.split(r"^## ", (REPO / "README.md").read_text(), flags=re.M)[0]
    quoted = [("opening", iv) for iv in intervals(opening)]
    assert quoted, "the README's opening quotes no interval of the quick run (results/quick/)"
    found, looked = published_intervals(REPO / "results" / "quick")
    missing = not_found(quoted, found)
    assert not missing, (f"{len(missing)} of the {len(quoted)} intervals the README's opening quotes are not in "
                         "results/quick:\n  " + "\n  ".join(missing) + "\nlooked in: " + ", ".join(looked))
