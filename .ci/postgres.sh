#!/usr/bin/env bash
# .ci/postgres.sh: a local PostgreSQL for the store/postgres tests.
#
#   source .ci/postgres.sh
#
# As root on Debian or Ubuntu (a fresh container will do; no TTY needed) it
# installs the distribution's postgresql package if missing, creates and
# starts a cluster, creates role "wiretrace" and database "wiretrace_test",
# and exports WIRETRACE_TEST_POSTGRES with their URL. Running it again is
# safe and takes well under a second once everything is up. It does not
# change the caller's shell options; on failure it says why on stderr and
# returns non-zero.

_wiretrace_pg_setup() {
	local user=wiretrace pass=wiretrace db=wiretrace_test
	local line ver name port status rest i log

	# Fast path: the URL from an earlier run still answers.
	if [ -n "${WIRETRACE_TEST_POSTGRES:-}" ] && command -v psql >/dev/null 2>&1 &&
		psql "$WIRETRACE_TEST_POSTGRES" -qAtc 'SELECT 1' >/dev/null 2>&1; then
		return 0
	fi

	if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
		if [ "$(id -u)" != 0 ]; then
			echo "postgres.sh: postgresql is not installed and installing it needs root" >&2
			return 1
		fi
		echo "postgres.sh: installing postgresql" >&2
		log=$(mktemp)
		if ! apt-get update -qq >"$log" 2>&1 ||
			! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >>"$log" 2>&1; then
			tail -n 20 "$log" >&2
			rm -f "$log"
			echo "postgres.sh: apt-get install postgresql failed" >&2
			return 1
		fi
		rm -f "$log"
	fi

	# The first cluster; create one when the package did not (or it was dropped).
	line=$(pg_lsclusters -h 2>/dev/null | head -n 1)
	if [ -z "$line" ]; then
		ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
		if ! pg_createcluster "$ver" main >/dev/null; then
			echo "postgres.sh: pg_createcluster $ver main failed" >&2
			return 1
		fi
		line=$(pg_lsclusters -h | head -n 1)
	fi
	read -r ver name port status rest <<<"$line"
	if [ "${status%%,*}" != online ]; then
		if ! pg_ctlcluster "$ver" "$name" start; then
			echo "postgres.sh: pg_ctlcluster $ver $name start failed; log: /var/log/postgresql/postgresql-$ver-$name.log" >&2
			return 1
		fi
	fi
	for i in $(seq 1 60); do
		pg_isready -q -h /var/run/postgresql -p "$port" && break
		sleep 0.5
	done
	if ! pg_isready -q -h /var/run/postgresql -p "$port"; then
		echo "postgres.sh: cluster $ver/$name on port $port is not accepting connections" >&2
		return 1
	fi

	# Role and database, created only when missing. psql runs as the
	# postgres superuser over the local socket (peer authentication).
	if ! (cd / && runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt) >/dev/null <<SQL; then
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$user', '$pass')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$user')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db') \gexec
SQL
		echo "postgres.sh: creating role $user and database $db failed" >&2
		return 1
	fi

	export WIRETRACE_TEST_POSTGRES="postgres://$user:$pass@127.0.0.1:$port/$db?sslmode=disable"
	if ! psql "$WIRETRACE_TEST_POSTGRES" -qAtc 'SELECT 1' >/dev/null; then
		echo "postgres.sh: cannot connect to $WIRETRACE_TEST_POSTGRES" >&2
		return 1
	fi
	echo "postgres.sh: WIRETRACE_TEST_POSTGRES=$WIRETRACE_TEST_POSTGRES" >&2
}

_wiretrace_pg_setup
_wiretrace_pg_status=$?
# Leave no names behind; "return" when sourced, "exit" when run as a program
# (which cannot export anything to its caller).
eval "unset -f _wiretrace_pg_setup; unset _wiretrace_pg_status
return $_wiretrace_pg_status 2>/dev/null || exit $_wiretrace_pg_status"
