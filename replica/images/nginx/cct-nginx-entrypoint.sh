#!/bin/sh
# nginx 1.22 has no `resolve` on an upstream server (1.27.3+): the line stays, without it, so
# nginx resolves `web` once at start to every replica running then (the stand-in cannot follow
# a later `--scale web=N`). Docker's DNS is 127.0.0.11; podman's is the nameserver in
# resolv.conf. The mounted file stays untouched: the adapted copy goes to /tmp.
set -eu
conf=/etc/nginx/nginx.conf
if [ "${1:-}" = nginx ]; then
  dns=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
  sed -e 's/^\(\s*server\s.*\)\s\+resolve\s*;/\1;/' -e "s/^\(\s*resolver\s\+\)127\.0\.0\.11\b/\1${dns}/" "$conf" >/tmp/nginx.conf
  diff "$conf" /tmp/nginx.conf >&2 || true
  shift
  set -- nginx -c /tmp/nginx.conf "$@"
fi
exec "$@"
