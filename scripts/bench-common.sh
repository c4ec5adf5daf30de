# bench-common.sh: what scripts/bench-sbom and scripts/bench-run share.
# Sourced, not run. Expects $work (a scratch directory) and $repo (this
# repository) to be set.
#
# Both tools run offline with cemark's library configuration
# (sbom.CreateSBOMConfig): syft's CLI defaults differ (it enables
# golang use-packages-lib, i.e. `go list`, and hashes files with
# sha1+sha256 only), so syft gets a config file that makes them equal:
# no go/packages, no remote licence look-ups, no Maven network or local
# repository, file digests sha1+sha256+sha512, and the same exclusions.

if [ ! -x /usr/bin/time ]; then
	echo "$(basename "$0"): /usr/bin/time is missing (apt-get install time)" >&2
	exit 1
fi

# build_tools: syft at the version in go.mod (its `tool` line) into
# $work/syft, and cemark into $work/cemark unless $CEMARK names a binary.
build_tools() {
	(
		cd "$repo"
		syft_version=$(go list -m -f '{{.Version}}' github.com/anchore/syft)
		echo "building syft $syft_version (go.mod tool directive) and cemark …" >&2
		go build -o "$work/syft" github.com/anchore/syft/cmd/syft
		if [ -z "${CEMARK:-}" ]; then
			go build -o "$work/cemark" ./cmd/cemark
		fi
	)
	if [ -n "${CEMARK:-}" ]; then
		cp "$CEMARK" "$work/cemark"
	fi
	syft_version=$(cd "$repo" && go list -m -f '{{.Version}}' github.com/anchore/syft)
	cat >"$work/syft.yaml" <<YAML
check-for-app-update: false
exclude: ['./.git', './.git/**', './.cemark', './.cemark/**', './docs/cra', './docs/cra/**']
golang:
  use-packages-lib: false
  search-remote-licenses: false
  search-local-mod-cache-licenses: false
java:
  use-network: false
  use-maven-local-repository: false
javascript:
  search-remote-licenses: false
python:
  search-remote-licenses: false
file:
  metadata:
    selection: owned-by-package
    digests: [sha1, sha256, sha512]
YAML
}

# copy_tree SRC DST [--no-git]: a copy of SRC without the evidence
# directory and cemark.yaml (a cemark.yaml may add exclusions or sources
# that the syft CLI would not know about), and without .git with --no-git.
copy_tree() {
	local src=$1 dst=$2 git_excl=()
	[ "${3:-}" = --no-git ] && git_excl=(--exclude=./.git)
	mkdir -p "$dst"
	# (tar exits 1 when a file changes while read: fine for a benchmark copy)
	{ tar -C "$src" "${git_excl[@]}" --exclude=./.cemark --exclude=./cemark.yaml --warning=no-file-changed -cf - . || [ $? = 1 ]; } |
		tar -C "$dst" -xf -
	# A copy's git index records the original files' inodes and times: git
	# would hash every tracked file again on each status (cemark fingerprints
	# the tree with git status at the start and again at the end of a run),
	# which a checkout — its index written as its files were — never does.
	# Any git command a user runs makes a work tree's index current too.
	if [ -d "$dst/.git" ]; then
		git -C "$dst" status >/dev/null
	fi
	# The copy reaches the disk now, not while a tool is measured: the
	# kernel writing back a generated tree's hundreds of MB competed with
	# the measured runs for the processors.
	sync
}

# GOPROXY=off: neither tool may reach the Go proxy during the scan.
export SOURCE_DATE_EPOCH=1700000000 GOPROXY=off SYFT_CHECK_FOR_APP_UPDATE=false

# measure NAME CMD… : one run; prints "wall_s user_s sys_s maxrss_kb".
# Exit status 3 (cemark: findings at or above --fail-on, not a failure of
# the tool) counts as a completed run.
measure() {
	local name=$1 rc=0
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
		echo "$(basename "$0"): $name failed (exit $rc):" >&2
		tail -20 "$work/$name.err" >&2
		exit 1
	fi
	tail -1 "$work/$name.time"
}

# syft_scan: the syft CLI as the issue's reference command, without its
# source ("dir:DIR" follows).
syft_scan=("$work/syft" scan -c "$work/syft.yaml" -q -o cyclonedx-json)
