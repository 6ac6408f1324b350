#!/usr/bin/env bash
# Regenerates src/Client/Generated.cs (the typed client's records and operations) from openapi/vendorgate.v1.json.
# Run it after refreshing the OpenAPI document (VG_UPDATE_OPENAPI=1 dotnet test tests/Gateway.Tests --filter OpenApi).
set -euo pipefail
cd "$(dirname "$0")/.."
VG_UPDATE_CLIENT=1 dotnet test tests/Gateway.Tests --filter "FullyQualifiedName~GeneratedClientTests" --nologo -v quiet
git --no-pager diff --stat -- src/Client/Generated.cs
