#!/usr/bin/env bash
# Static checks of the Terraform in infra/: `terraform fmt -check` and checkov.
#
# checkov pins heavy dependencies, so it lives in its own venv (.venv-checkov at the repository
# root), created on first use. Independent of the Makefile; `make test` may call it.
#   infra/check.sh            # fmt check + checkov
#   CHECKOV_VENV=/path/to/venv infra/check.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="${CHECKOV_VENV:-$root/.venv-checkov}"
py="${PYTHON:-python3}"
# Pinned: a new checkov release adds checks, which would turn a green build red overnight.
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"

if ! command -v terraform >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "infra/check.sh: terraform is required under CI=true" >&2
    exit 1
  fi
  echo "infra/check.sh: terraform not installed; skipping fmt check" >&2
else
  echo "== terraform fmt -check -recursive infra"
  terraform fmt -check -recursive -diff "$here"
fi

if [[ ! -x "$venv/bin/checkov" ]] || [[ "$("$venv/bin/checkov" --version 2>/dev/null)" != "$CHECKOV_VERSION" ]]; then
  echo "== creating $venv (first run installs checkov, about a minute)"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -qq --upgrade pip
  "$venv/bin/python" -m pip install -qq "checkov==${CHECKOV_VERSION}"
fi

echo "== checkov $("$venv/bin/checkov" --version)"
# Skipped checks are annotated in the .tf files beside the resource (#checkov:skip=ID:reason).
"$venv/bin/checkov" --directory "$here" --framework terraform --quiet --compact \
  --skip-path '\.terraform' --download-external-modules false --skip-download
