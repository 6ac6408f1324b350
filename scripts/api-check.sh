#!/usr/bin/env bash
# What an integrator's tools do with the committed OpenAPI document: Redocly lints it with its recommended rules
# (zero errors), and Kiota generates a C# client from it that must compile. Both tools are installed once per version
# into the tool cache every clone shares (VG_TOOLS_DIR, default ~/.cache/vendorgate-tools)
# on first use (npm @redocly/cli, the dotnet tool Microsoft.OpenApi.Kiota). Called by scripts/test.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
document="$root/openapi/vendorgate.v1.json"
work=$(mktemp -d /tmp/vendorgate-api.XXXXXX)
trap 'rm -rf "$work"' EXIT

tools=${VG_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vendorgate-tools}
redocly="$tools/redocly-2.77.0/node_modules/.bin/redocly"
if [ ! -x "$redocly" ]; then
  echo "Installing @redocly/cli from npm..."
  npm install --silent --no-audit --no-fund --prefix "$tools/redocly-2.77.0" @redocly/cli@2.77.0 >/dev/null
fi
echo "Redocly lint (recommended rules):"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$redocly" lint --extends=recommended --format=stylish "$document"

kiota="$tools/kiota-1.38.0/kiota"
if [ ! -x "$kiota" ]; then
  echo "Installing Kiota (dotnet tool)..."
  dotnet tool install --tool-path "$tools/kiota-1.38.0" Microsoft.OpenApi.Kiota --version 1.38.0 >/dev/null
fi
echo "Kiota: generating and compiling a C# client..."
KIOTA_TUTORIAL_ENABLED=false "$kiota" generate --language CSharp --openapi "$document" --output "$work/client/Generated" \
  --class-name VendorGateApiClient --namespace-name VendorGate.Generated --exclude-backward-compatible --log-level Error
cat > "$work/client/Client.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.Kiota.Abstractions" Version="2.1.6" />
    <PackageReference Include="Microsoft.Kiota.Http.HttpClientLibrary" Version="2.1.6" />
    <PackageReference Include="Microsoft.Kiota.Serialization.Form" Version="2.1.6" />
    <PackageReference Include="Microsoft.Kiota.Serialization.Json" Version="2.1.6" />
    <PackageReference Include="Microsoft.Kiota.Serialization.Multipart" Version="2.1.6" />
    <PackageReference Include="Microsoft.Kiota.Serialization.Text" Version="2.1.6" />
  </ItemGroup>
</Project>
XML
dotnet build "$work/client/Client.csproj" -nologo -v q -clp:ErrorsOnly -p:UseSharedCompilation=true # the suite's compiler server
echo "The generated client compiles."
