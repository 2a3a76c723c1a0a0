#!/usr/bin/env bash
# Regenerates every expected output of the conformance corpus.
#
#   python/<category>/<name>.wf  ->  <name>.out   from python3 (stdout only)
#   stackless/<name>.wf          ->  <name>.out   from stackless_ref.py (the oracle),
#                                    plus <name>.exit holding the exit status when it is not 0
#
# It fails loudly (exit 1, and then writes no expected file at all) when a Python program exits
# non-zero, writes to stderr, takes more than 10 s, gives different output under two hash
# seeds (a sign of hash-order dependence), or when check_subset.py finds a construct outside
# the subset.  Usage: tests/conformance/regen.sh [--check]   (--check compares, writes nothing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# Resolve the interpreter once (a pyenv shim costs ~0.15 s per start).
py="$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')"
check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1

ver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$ver" != "3.11" ]]; then
    echo "regen.sh: need CPython 3.11 (the contract's oracle), found $ver" >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
changed=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run_one OUTFILE CMD... : runs CMD twice (two hash seeds); stdout goes to OUTFILE, stderr to
# OUTFILE.err, the exit status to OUTFILE.rc (99 when the two runs differ).
run_one() {
    local out="$1"; shift
    local rc=0
    PYTHONHASHSEED=1 timeout 10 "$@" >"$out" 2>"$out.err" || rc=$?
    echo "$rc" >"$out.rc"
    local rc2=0
    PYTHONHASHSEED=4242 timeout 10 "$@" >"$out.2" 2>/dev/null || rc2=$?
    if ! cmp -s "$out" "$out.2" || [[ "$rc" != "$rc2" ]]; then
        echo "nondeterministic output (differs between hash seeds)" >"$out.err"
        echo 99 >"$out.rc"
    fi
}

# install SRC DEST: copy SRC over DEST if different (or compare only with --check).
install_file() {
    local src="$1" dest="$2"
    if [[ -f "$dest" ]] && cmp -s "$src" "$dest"; then return; fi
    changed=$((changed + 1))
    if [[ $check_only == 1 ]]; then
        fail "$dest is out of date"
    else
        cp "$src" "$dest"
    fi
}

pending=()   # pairs: generated file, expected file it becomes
no_exit=()   # .exit files that must not exist
mapfile -t py_programs < <(find python -name '*.wf' | sort)
mapfile -t sl_programs < <(find stackless -name '*.wf' | sort)

# 1. Stay inside the subset.
if ! "$py" check_subset.py "${py_programs[@]}" "${sl_programs[@]}" >"$tmp/lint" 2>&1; then
    cat "$tmp/lint" >&2
    fail "check_subset.py found constructs outside the subset"
fi

# 2. Plain Python programs: python3 is the oracle.
for wf in "${py_programs[@]}"; do
    o="$tmp/$(echo "$wf" | tr '/' '_').out"
    run_one "$o" "$py" "$wf"
    rc="$(cat "$o.rc")"
    if [[ "$rc" != 0 ]]; then fail "$wf: exit status $rc"; sed 's/^/    /' "$o.err" >&2; continue; fi
    if [[ -s "$o.err" ]]; then fail "$wf: wrote to stderr"; sed 's/^/    /' "$o.err" >&2; continue; fi
    # The oracle must agree with python3 on plain programs (it only adds builtins).
    ref_rc=0
    "$py" stackless_ref.py "$wf" >"$o.ref" 2>/dev/null || ref_rc=$?
    if [[ "$ref_rc" != 0 ]] || ! cmp -s "$o" "$o.ref"; then
        fail "$wf: stackless_ref.py disagrees with python3"
    fi
    pending+=("$o" "${wf%.wf}.out")
done

# 3. Stackless programs: stackless_ref.py is the oracle; a non-zero status goes to <name>.exit.
for wf in "${sl_programs[@]}"; do
    o="$tmp/$(echo "$wf" | tr '/' '_').out"
    run_one "$o" "$py" stackless_ref.py "$wf"
    rc="$(cat "$o.rc")"
    if [[ "$rc" == 99 || "$rc" == 124 ]]; then fail "$wf: nondeterministic or timed out"; continue; fi
    if [[ -s "$o.err" ]]; then fail "$wf: wrote to stderr"; sed 's/^/    /' "$o.err" >&2; continue; fi
    if [[ "$rc" != 0 ]] && ! tail -n 1 "$o" | grep -q '^DeadlockError: '; then
        fail "$wf: exit status $rc without a DeadlockError line"; continue
    fi
    pending+=("$o" "${wf%.wf}.out")
    if [[ "$rc" != 0 ]]; then
        echo "$rc" >"$o.exit"
        pending+=("$o.exit" "${wf%.wf}.exit")
    else
        no_exit+=("${wf%.wf}.exit")
    fi
done

# 4. No stale expected files.
while IFS= read -r f; do
    base="${f%.out}"; base="${base%.exit}"
    [[ -f "$base.wf" ]] || fail "$f has no program beside it"
done < <(find python stackless \( -name '*.out' -o -name '*.exit' \) | sort)

if [[ $failures != 0 ]]; then
    echo "regen.sh: $failures failure(s); no expected file was written" >&2
    exit 1
fi

# 5. All programs ran cleanly: install (or, with --check, compare) the expected files.
for ((i = 0; i < ${#pending[@]}; i += 2)); do
    install_file "${pending[i]}" "${pending[i + 1]}"
done
for f in "${no_exit[@]}"; do
    if [[ -f "$f" ]]; then
        changed=$((changed + 1))
        if [[ $check_only == 1 ]]; then fail "$f should not exist"; else rm "$f"; fi
    fi
done
if [[ $failures != 0 ]]; then
    echo "regen.sh --check: $failures expected file(s) out of date" >&2
    exit 1
fi
if [[ $check_only == 1 ]]; then
    echo "regen.sh --check: ${#py_programs[@]} python + ${#sl_programs[@]} stackless programs, all expected files up to date"
else
    echo "regen.sh: ${#py_programs[@]} python + ${#sl_programs[@]} stackless programs, $changed file(s) written"
fi
