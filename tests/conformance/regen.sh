#!/usr/bin/env bash
# Regenerates every expected output of the conformance corpus.
#
#   python/<category>/<name>.wf  ->  <name>.out   stdout of python3 (CPython 3.11)
#   stackless/<name>.wf          ->  <name>.out   stdout of stackless_ref.py (the oracle), and
#                                    <name>.exit  holding the exit status, only when it is not 0
#
# It fails loudly (exit 1, and then writes no expected file at all) when:
#   - check_subset.py finds a construct outside the subset;
#   - a Python program exits non-zero, writes to stderr or runs longer than 10 s;
#   - a program's output differs between two hash seeds (hash-order dependence);
#   - stackless_ref.py disagrees with python3 on a plain Python program;
#   - a stackless program writes to stderr, or exits non-zero without a DeadlockError line;
#   - an .out/.exit/.input.json file has no program beside it.
#
# Usage: tests/conformance/regen.sh [--check]    --check compares only and writes nothing.
# PYTHON=/path/to/python3.11 overrides the interpreter; JOBS=N the parallelism.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# Resolve the interpreter once (a pyenv shim costs ~0.15 s per start).
py="$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')"
check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1
jobs="${JOBS:-$(nproc 2>/dev/null || echo 4)}"

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

# run_one KIND WF: runs one program into $tmp/<flattened name>.* :
#   .out  stdout (first run), .err stderr, .rc exit status,
#   .det  "differs" when a second run under another hash seed printed something else,
#   .ref  (python only) stdout of the oracle, .refrc its exit status.
run_one() {
    local kind="$1" wf="$2"
    local o="$tmp/${wf//\//_}"
    local cmd=("$py" "$wf")
    [[ "$kind" == stackless ]] && cmd=("$py" stackless_ref.py "$wf")
    local rc=0 rc2=0
    PYTHONHASHSEED=1 timeout 10 "${cmd[@]}" >"$o.out" 2>"$o.err" || rc=$?
    echo "$rc" >"$o.rc"
    PYTHONHASHSEED=4242 timeout 10 "${cmd[@]}" >"$o.out2" 2>/dev/null || rc2=$?
    if [[ "$rc" != "$rc2" ]] || ! cmp -s "$o.out" "$o.out2"; then echo differs >"$o.det"; fi
    if [[ "$kind" == python ]]; then
        local rrc=0
        PYTHONHASHSEED=1 timeout 10 "$py" stackless_ref.py "$wf" >"$o.ref" 2>/dev/null || rrc=$?
        echo "$rrc" >"$o.refrc"
    fi
}

mapfile -t py_programs < <(find python -name '*.wf' | LC_ALL=C sort)
mapfile -t sl_programs < <(find stackless -name '*.wf' | LC_ALL=C sort)

# 1. Stay inside the subset.
if ! "$py" check_subset.py "${py_programs[@]}" "${sl_programs[@]}" >"$tmp/lint" 2>&1; then
    cat "$tmp/lint" >&2
    fail "check_subset.py found constructs outside the subset"
fi

# 2. Run everything, $jobs at a time.
running=0
for wf in "${py_programs[@]}"; do
    run_one python "$wf" &
    running=$((running + 1))
    if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
done
for wf in "${sl_programs[@]}"; do
    run_one stackless "$wf" &
    running=$((running + 1))
    if ((running >= jobs)); then wait -n || true; running=$((running - 1)); fi
done
wait

# 3. Judge the results.
pending=()   # pairs: generated file, expected file it becomes
no_exit=()   # .exit files that must not exist
for wf in "${py_programs[@]}"; do
    o="$tmp/${wf//\//_}"
    rc="$(cat "$o.rc")"
    if [[ "$rc" != 0 ]]; then fail "$wf: exit status $rc"; sed 's/^/    /' "$o.err" >&2; continue; fi
    if [[ -s "$o.err" ]]; then fail "$wf: wrote to stderr"; sed 's/^/    /' "$o.err" >&2; continue; fi
    if [[ -f "$o.det" ]]; then fail "$wf: output differs between hash seeds"; continue; fi
    if [[ "$(cat "$o.refrc")" != 0 ]] || ! cmp -s "$o.out" "$o.ref"; then
        fail "$wf: stackless_ref.py disagrees with python3"; continue
    fi
    pending+=("$o.out" "${wf%.wf}.out")
    no_exit+=("${wf%.wf}.exit")
done
for wf in "${sl_programs[@]}"; do
    o="$tmp/${wf//\//_}"
    rc="$(cat "$o.rc")"
    if [[ "$rc" == 124 ]]; then fail "$wf: timed out"; continue; fi
    if [[ -s "$o.err" ]]; then fail "$wf: wrote to stderr"; sed 's/^/    /' "$o.err" >&2; continue; fi
    if [[ -f "$o.det" ]]; then fail "$wf: output differs between runs"; continue; fi
    if [[ "$rc" != 0 ]] && ! tail -n 1 "$o.out" | grep -q '^DeadlockError: '; then
        fail "$wf: exit status $rc without a DeadlockError line"; continue
    fi
    pending+=("$o.out" "${wf%.wf}.out")
    if [[ "$rc" != 0 ]]; then
        echo "$rc" >"$o.exit"
        pending+=("$o.exit" "${wf%.wf}.exit")
    else
        no_exit+=("${wf%.wf}.exit")
    fi
done

# 4. No stale expected files.
while IFS= read -r f; do
    base="${f%.out}"; base="${base%.exit}"; base="${base%.input.json}"
    [[ -f "$base.wf" ]] || fail "$f has no program beside it"
done < <(find python stackless \( -name '*.out' -o -name '*.exit' -o -name '*.input.json' \) | LC_ALL=C sort)

if [[ $failures != 0 ]]; then
    echo "regen.sh: $failures failure(s); no expected file was written" >&2
    exit 1
fi

# 5. All programs ran cleanly: install (or, with --check, compare) the expected files.
for ((i = 0; i < ${#pending[@]}; i += 2)); do
    src="${pending[i]}" dest="${pending[i + 1]}"
    if [[ -f "$dest" ]] && cmp -s "$src" "$dest"; then continue; fi
    changed=$((changed + 1))
    if [[ $check_only == 1 ]]; then fail "$dest is out of date"; else cp "$src" "$dest"; fi
done
for f in "${no_exit[@]}"; do
    [[ -f "$f" ]] || continue
    changed=$((changed + 1))
    if [[ $check_only == 1 ]]; then fail "$f should not exist"; else rm "$f"; fi
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
