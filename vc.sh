#!/usr/bin/env bash
# One entry point that also does all set-up on a fresh machine:
#   bash vc.sh reproduce [--preset quick|smoke|cpu|paper]   the main job (quick by default, about 15 min)
#   bash vc.sh test                                    every test: nbdev_test (notebooks) and pytest
#   bash vc.sh vcollapse ARGS...                       any vcollapse command
# It creates .venv if missing and (re)installs the project with the pinned versions in
# constraints.txt whenever constraints.txt, settings.ini or setup.py change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "vc.sh: creating .venv with $($PYTHON --version 2>&1)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.vc-installed-$(cat constraints.txt settings.ini setup.py pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "vc.sh: installing verified_collapse and its pinned dependencies into .venv"
  log=.venv/install.log
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip -c constraints.txt \
         && .venv/bin/python -m pip install --disable-pip-version-check -c constraints.txt -e ".[dev]"; } >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" | tail -40 >&2
    echo "vc.sh: installation failed (full log: $log)" >&2; exit 1
  fi
  .venv/bin/python -c "import verified_collapse, torch, papermill, nbdev" \
    || { echo "vc.sh: installation failed" >&2; exit 1; }
  rm -f .venv/.vc-installed-*; touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
cmd="${1:-help}"; shift || true
case "$cmd" in
  reproduce)
    # the summarization corpus is Debian's package descriptions: fetch them once if apt has none
    if ! ls /var/lib/apt/lists/*_i18n_Translation-en* >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "vc.sh: fetching Debian's package descriptions (the summarization corpus): apt-get update -o Acquire::Languages=en"
        apt-get update -o Acquire::Languages=en >/dev/null || echo "vc.sh: apt-get update failed" >&2
      else
        echo "vc.sh: no Debian package descriptions in /var/lib/apt/lists; for the summarization part run" \
             "'sudo apt-get update -o Acquire::Languages=en'" >&2
      fi
    fi
    exec vcollapse reproduce "$@" ;;
  test)
    echo "== nbdev_test: the notebooks' own tests =="
    OMP_NUM_THREADS=1 nbdev_test --n_workers 2 --do_print "$@"  # one thread per notebook: two workers on two cores, no oversubscription
    echo "== pytest: command line, papermill runs, project checks =="
    # two workers on two cores; the tests that share the session's smoke reproduction run on one (xdist_group "smoke")
    exec python -m pytest tests -q -p no:cacheprovider -n 2 --dist loadgroup ;;
  vcollapse) exec vcollapse "$@" ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
