#!/bin/sh
# The official image builds redis with protected mode off, so that other containers may connect
# without a password; Debian's keeps it on when no config file is given, hence the flag.
set -eu
if [ "${1:-}" = redis-server ]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
