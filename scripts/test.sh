#!/usr/bin/env bash
# The project's test command (README): unit, kernel, behaviour and golden parity tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source ./scripts/find-jdk.sh
exec mvn -B -ntp clean test "$@"
