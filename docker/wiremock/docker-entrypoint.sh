#!/bin/sh
# Entrypoint of the WireMock-compatible image. Flags (or no arguments) run `mockd wiremock` in
# /home/wiremock, its root dir (mappings/, __files/); mockd appends $WIREMOCK_OPTIONS itself.
# Any other command runs as given (`docker run IMAGE sh`).
#
# `-e uid=N`, as in the WireMock image: /home/wiremock is handed to uid N and the server runs as
# N, so recorded stubs belong to the host user who mounted the directory. Switching users needs
# the container to start as root (`--user root`); the server itself never runs as root then.
#
# WIREMOCK_HOME and MOCKD stand in for /home/wiremock and the mockd binary (used by the tests).
set -eu

home="${WIREMOCK_HOME:-/home/wiremock}"
mockd="${MOCKD:-mockd}"

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- "$mockd" wiremock "$@"
fi

if [ -n "${uid:-}" ]; then
    case "$uid" in
        *[!0-9]*) echo "docker-entrypoint: uid must be a number (got \"$uid\")" >&2; exit 2 ;;
    esac
    if [ "$(id -u)" = 0 ]; then
        # A read-only mount (mappings:ro) cannot change owner; the rest of the tree still does.
        chown -R "$uid:$uid" "$home" 2>/dev/null ||
            echo "docker-entrypoint: some of $home could not be given to uid $uid (read-only mounts?)" >&2
        set -- setpriv --reuid="$uid" --regid="$uid" --clear-groups env HOME="$home" "$@"
    elif [ "$uid" != "$(id -u)" ]; then
        echo "docker-entrypoint: uid=$uid needs the container started as root (--user root); running as uid $(id -u)" >&2
    fi
fi

cd "$home"
# exec: the server is the container's main process, so `docker stop`'s SIGTERM reaches it and it
# drains in-flight requests before exiting.
exec "$@"
