#!/usr/bin/env bash
# Tools the deployment tests need: kubectl (renders deploy/ with kustomize, offline).
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  echo "installing kubectl"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq kubectl >/dev/null
fi
