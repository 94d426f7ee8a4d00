#!/usr/bin/env bash
# docs/api-reference.md must be what scripts/api_reference.py makes of the OpenAPI document the
# program serves: the reference is generated, and a stale one fails here with how to renew it.
# Usage: api_reference.sh SOURCE_DIR PROVISIO
set -euo pipefail
src=$1 provisio=$2
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
"$provisio" serve --openapi | /usr/bin/python3 "$src/scripts/api_reference.py" > "$fresh"
if ! diff -u "$src/docs/api-reference.md" "$fresh"; then
  echo "docs/api-reference.md is stale: $provisio serve --openapi | scripts/api_reference.py > docs/api-reference.md" >&2
  exit 1
fi
echo "docs/api-reference.md matches the route table ($(grep -c '^### ' "$fresh") routes)"
