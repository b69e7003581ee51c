#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ are installed and running on loopback, as the
# service and end-to-end tests need them. Safe to run when they already are.
set -euo pipefail

have_pg() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
have_rabbit() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
wait_for() { local what=$1 check=$2; for _ in $(seq 1 60); do $check && return 0; sleep 1; done; echo "$what did not come up" >&2; return 1; }

need_apt=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
command -v rabbitmq-server >/dev/null 2>&1 || need_apt+=(rabbitmq-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! have_pg; then
  echo "starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL have_pg
fi
# Tests connect as postgres over TCP without a password (trust on loopback).
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n1)
  sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' "$hba"
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  wait_for "PostgreSQL (trust auth)" "psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' -o /dev/null"
fi

if ! have_rabbit; then
  echo "starting RabbitMQ (loopback only)"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=25672
  export ERL_EPMD_ADDRESS=127.0.0.1
  # A node left running with its app stopped (a failure drill cut short) only needs the app.
  rabbitmqctl -q start_app >/dev/null 2>&1 || rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for RabbitMQ have_rabbit
  rabbitmqctl await_startup >/dev/null 2>&1 || true
fi
echo "PostgreSQL and RabbitMQ are up"
