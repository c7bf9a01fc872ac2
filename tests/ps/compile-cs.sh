#!/usr/bin/env bash
# tests/ps/compile-cs.sh - compiles the module's C# (ps/src/*.cs, what
# Import-Module gives Add-Type when the compiled BitsWatch.Native.dll is
# absent, as in the source tree) the way both PowerShells do, with Roslyn
# from the dotnet SDK, warnings as errors:
#   net45   LangVersion 5 against the .NET Framework 4.5 reference assemblies
#           and PowerShellStandard.Library's System.Management.Automation
#           (Windows PowerShell 5.1's Add-Type: C# 5, .NET Framework APIs)
#   net10   the default language version against System.Management.Automation
#           7.6.9 (PowerShell 7.6's Add-Type, which fails on warnings)
#
#   bash tests/ps/compile-cs.sh [TOOLS_DIR]      (default build/tools)
#
# The throwaway projects live in TOOLS_DIR/cs-check; packages in
# TOOLS_DIR/nuget-packages (versions pinned below).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS=${1:-$ROOT/build/tools}
mkdir -p "$TOOLS"
TOOLS=$(cd "$TOOLS" && pwd)
PKGS=$TOOLS/nuget-packages
OUT=$TOOLS/cs-check
SOURCES=
for f in "$ROOT"/ps/src/*.cs; do
  SOURCES="$SOURCES    <Compile Include=\"$f\" />
"
done
mkdir -p "$OUT/net45" "$OUT/net10"

cat >"$OUT/net45/check.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net45</TargetFramework>
    <LangVersion>5</LangVersion>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <GenerateAssemblyInfo>false</GenerateAssemblyInfo>
    <!-- the .net45 package itself, not the meta package the SDK would add -->
    <AutomaticallyUseReferenceAssemblyPackages>false</AutomaticallyUseReferenceAssemblyPackages>
    <!-- PowerShellStandard's net452 build stands for 5.1's own System.Management.Automation -->
    <ResolveAssemblyReferenceIgnoreTargetFrameworkAttributeVersionMismatch>true</ResolveAssemblyReferenceIgnoreTargetFrameworkAttributeVersionMismatch>
  </PropertyGroup>
  <ItemGroup>
$SOURCES
    <PackageReference Include="Microsoft.NETFramework.ReferenceAssemblies.net45" Version="1.0.2" PrivateAssets="all" />
    <PackageDownload Include="PowerShellStandard.Library" Version="[5.1.1]" />
    <Reference Include="System.Management.Automation">
      <HintPath>\$(NuGetPackageRoot)/powershellstandard.library/5.1.1/lib/net452/System.Management.Automation.dll</HintPath>
      <Private>false</Private>
    </Reference>
  </ItemGroup>
</Project>
XML

cat >"$OUT/net10/check.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <GenerateAssemblyInfo>false</GenerateAssemblyInfo>
    <Nullable>disable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
$SOURCES
    <PackageReference Include="System.Management.Automation" Version="7.6.9" PrivateAssets="all" />
  </ItemGroup>
</Project>
XML

rc=0
for t in net45 net10; do
  if dotnet build "$OUT/$t/check.csproj" -nologo -v q --packages "$PKGS" >"$OUT/$t.log" 2>&1; then
    echo "ok   the module's C# compiles for $t (warnings as errors)"
  else
    echo "FAIL the module's C# does not compile for $t:"
    grep -E ': (error|warning) ' "$OUT/$t.log" | sort -u | head -n 40
    rc=1
  fi
done
exit $rc
