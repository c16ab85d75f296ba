#!/usr/bin/env bash
# Lints docs/openapi.yaml with the pinned linter (installed by npm ci here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
# From tools/, where .redocly.lint-ignore.yaml lists the warnings accepted on purpose.
cd "$here"
exec "$here/node_modules/.bin/redocly" lint --format=stylish ../docs/openapi.yaml
