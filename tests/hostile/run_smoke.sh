#!/usr/bin/env bash
# run_smoke.sh TASKLINT SOURCE_DIR - the hostile-C smoke test.
#
# make_inputs.py writes a few hundred hostile inputs into a temporary
# directory (mutated fixtures, generated programs, csmith programs, mutated
# configs; deterministic for TASKLINT_SMOKE_SEED, default 1).  tasklint
# analyses them a directory (batch) at a time, each run bounded by a timeout,
# and every run must
#   [sanitizer] print no AddressSanitizer / LeakSanitizer / UBSan report of
#               any kind (SEGV and stack-overflow included), not even from a
#               worker process whose crash tasklint survived: the report is
#               a memory error in a process built with the sanitizers;
#   [crash]     exit 0, 1 or 2: no signal, no timeout;
#   [control]   print no raw control character (a byte < 0x20 other than
#               newline and tab, or 0x7f) on stdout or stderr.
# A file that crashes the C front end in a worker process is reported by
# tasklint ("the C front end crashed on this file", exit 2): that is the
# designed behaviour for hostile input, not a failure; such files are listed
# at the end.
# A batch that crashes or trips a sanitizer is re-run file by file to name
# the inputs at fault; control characters are traced to their input by the
# diagnostic line they follow (check_output.py).
# TASKLINT_SMOKE_STRICT=1 (the default) fails the test on every check;
# with 0, [crash] and [control] failures are listed but do not fail it
# ([sanitizer] always does).  Failing inputs are copied to
# TASKLINT_SMOKE_KEEP (default ./hostile-failures) for replay.
set -uo pipefail

TL=$(realpath "$1")
SRC=$(realpath "$2")
STRICT=${TASKLINT_SMOKE_STRICT:-1}
SEED=${TASKLINT_SMOKE_SEED:-1}
KEEP=${TASKLINT_SMOKE_KEEP:-}
if [ -z "$KEEP" ]; then
    KEEP=$PWD/hostile-failures
    rm -rf "$KEEP" # the last run's
fi
BATCH_TIMEOUT=${TASKLINT_SMOKE_TIMEOUT:-120}
FILE_TIMEOUT=60

T=$(mktemp -d "${TMPDIR:-/tmp}/tasklint-hostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
start=$(date +%s)

# a sanitizer report must not look like exit status 1 (findings)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
export NO_COLOR=1 TASKLINT_DB=none

python3 "$SRC/tests/hostile/make_inputs.py" --fixtures "$SRC/fixtures" --out "$T/in" \
    --seed "$SEED" >"$T/make.log" 2>&1 || { cat "$T/make.log"; exit 1; }
cat "$T/make.log"

CFLAGS=(-I "$SRC/fixtures/include" -w)
[ -d /usr/include/csmith ] && CFLAGS+=(-I /usr/include/csmith)

# Prints the crash or sanitizer problem of one run ("" when none):
# exit_checks RC ERR.
exit_checks() {
    local rc=$1 err=$2
    local report='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |UndefinedBehaviorSanitizer'
    if grep -a -q -E "$report" "$err"; then
        echo "[sanitizer] $(grep -a -m1 -E "$report" "$err" | cut -c1-200 | cat -v)$(
            [ "$rc" -le 2 ] && echo " (tasklint survived it: exit $rc)")"
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "[crash] timed out"
    elif [ "$rc" -gt 2 ]; then
        echo "[crash] exit status $rc$([ "$rc" -gt 128 ] && echo " (signal $((rc - 128)))")"
    fi
}

# run_tl OUTPREFIX LIMIT ARGS... : runs tasklint into OUTPREFIX.out/.err and
# prints its crash or sanitizer problem.
run_tl() {
    local pre=$1 limit=$2
    shift 2
    timeout -k 5 "$limit" "$TL" --no-db --color never "$@" >"$pre.out" 2>"$pre.err" </dev/null
    exit_checks $? "$pre.err"
}

# Keeps the "front end crashed" findings of a run (OUTPREFIX.out).
note_survived() {
    grep -a 'error: the C front end crashed on this file' "$1.out" >>"$T/survived"
}

# control_checks OUTPREFIX LIST : "[control] INDEX detail" per input at fault
control_checks() {
    python3 "$SRC/tests/hostile/check_output.py" "$1.out" "$1.err" "$2"
}

# The checks must see what they are meant to see, or the test proves nothing.
self_test() {
    printf 'x.c:1:2: warning: w\n  a\033[31mb\n' >"$T/st.out"
    printf 'ok\n' >"$T/st.err"
    printf '%s\0' "/some/dir/x.c" >"$T/st.list"
    [ "$(control_checks "$T/st" "$T/st.list")" = '[control] 0 byte 0x1b on stdout line 2:   a\x1b[31mb' ] ||
        { echo "self test: a control character went unnoticed"; return 1; }
    printf 'x.c:1:2: warning: w\n\ta\tb\n' >"$T/st.out"
    [ -z "$(control_checks "$T/st" "$T/st.list")" ] || { echo "self test: a tab was flagged"; return 1; }
    printf '==1==ERROR: AddressSanitizer: heap-use-after-free on address\n' >"$T/st.err"
    case "$(exit_checks 86 "$T/st.err")" in "[sanitizer] "*) ;; *) echo "self test: ASan report missed"; return 1 ;; esac
    printf 'x.c:3:4: runtime error: signed integer overflow\n' >"$T/st.err"
    case "$(exit_checks 86 "$T/st.err")" in "[sanitizer] "*) ;; *) echo "self test: UBSan report missed"; return 1 ;; esac
    printf '==7==ERROR: AddressSanitizer: stack-overflow on address 0x7ffd\n' >"$T/st.err"
    case "$(exit_checks 2 "$T/st.err")" in "[sanitizer] "*"(tasklint survived it: exit 2)") ;;
        *) echo "self test: a worker's ASan report missed"; return 1 ;; esac
    : >"$T/st.err"
    case "$(exit_checks 139 "$T/st.err")" in "[crash] exit status 139 (signal 11)") ;; *) echo "self test: crash missed"; return 1 ;; esac
    case "$(exit_checks 124 "$T/st.err")" in "[crash] timed out") ;; *) echo "self test: timeout missed"; return 1 ;; esac
    [ -z "$(exit_checks 1 "$T/st.err")" ] || { echo "self test: exit 1 (findings) flagged"; return 1; }
}
self_test || exit 1

declare -A problem_count=([crash]=0 [sanitizer]=0 [control]=0)
report="$T/report"
: >"$report"
: >"$T/survived"
ninputs=0

# Records the problems of one input: note INPUT DESCRIPTION PROBLEMS...
note() {
    local input=$1 what=$2 problems=$3 kept line check
    mkdir -p "$KEEP"
    kept="$KEEP/$(printf '%s' "$(basename "$input")" | tr -c 'A-Za-z0-9._-' '_')"
    cp -r "$input" "$kept" 2>/dev/null
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        check=${line%%]*}
        check=${check#[}
        problem_count[$check]=$((problem_count[$check] + 1))
        printf '%s\n    input: %s\n    what:  %s\n    kept:  %s\n' "$line" \
            "$(printf '%s' "$input" | cat -v)" "$what" "$kept" >>"$report"
    done <<<"$problems"
}

describe() { # the manifest line of an input
    local key
    key=$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/\t/\\t/g' | sed ':a;N;$!ba;s/\n/\\n/g')
    awk -F '\t' -v k="$key" '$1 == k { print $2; exit }' "$T/in/manifest.tsv" | cat -v
}

# ---- C inputs, a batch per run ----
for b in "$T"/in/batch-*; do
    mapfile -d '' files < <(find "$b" -type f -print0 | sort -z)
    printf '%s\0' "${files[@]}" >"$T/list"
    ninputs=$((ninputs + ${#files[@]}))
    problem=$(run_tl "$T/batch" "$BATCH_TIMEOUT" -j 2 "$b" -- "${CFLAGS[@]}")
    if [ -z "$problem" ]; then
        note_survived "$T/batch"
        while IFS=' ' read -r tag idx detail; do
            if [ "$idx" = - ]; then
                note "$b" "the batch (no input owns the text)" "$tag $detail"
            else
                note "${files[$idx]}" "$(describe "${files[$idx]}")" "$tag $detail"
            fi
        done < <(control_checks "$T/batch" "$T/list")
        continue
    fi
    # a crash ends the batch early: check its files one by one
    found=0
    for f in "${files[@]}"; do
        printf '%s\0' "$f" >"$T/list1"
        p=$(run_tl "$T/one" "$FILE_TIMEOUT" "$f" -- "${CFLAGS[@]}")
        note_survived "$T/one"
        c=$(control_checks "$T/one" "$T/list1" | sed 's/^\[control\] [^ ]* /[control] /')
        p=$(printf '%s\n%s' "$p" "$c")
        if [ -n "${p//$'\n'/}" ]; then
            note "$f" "$(describe "$f")" "$p"
            case "$p" in *"[crash]"* | *"[sanitizer]"*) found=1 ;; esac
        fi
    done
    [ $found = 1 ] || note "$b" "the batch as a whole (no single file fails)" "$problem"
done

# ---- mutated configs, on a fixture that uses the project config ----
target="$SRC/fixtures/orphaned-spawn/custom_spawn_worker.c"
for c in "$T"/in/configs/*.yaml; do
    [ -e "$c" ] || continue
    ninputs=$((ninputs + 1))
    printf '%s\0' "$c" >"$T/list1"
    p=$(run_tl "$T/cfg" "$FILE_TIMEOUT" --config "$c" "$target" -- "${CFLAGS[@]}")
    note_survived "$T/cfg"
    p=$(printf '%s\n%s' "$p" "$(control_checks "$T/cfg" "$T/list1" | sed 's/^\[control\] [^ ]* /[control] /')")
    [ -n "${p//$'\n'/}" ] && note "$c" "$(describe "$c")" "$p"
done

elapsed=$(($(date +%s) - start))
failed=0
if [ "$ninputs" -lt 100 ]; then
    echo "hostile smoke test: only $ninputs inputs were made (see $T/make.log)"
    failed=1
fi
summary=""
for check in sanitizer crash control; do
    n=${problem_count[$check]}
    summary+=" $check: $n,"
    if [ "$n" -gt 0 ]; then
        if [ "$check" = sanitizer ] || [ "$STRICT" = 1 ]; then
            failed=1
        fi
    fi
done
nsurvived=$(grep -c . "$T/survived")
echo "hostile smoke test: $ninputs inputs in ${elapsed}s;${summary%,} (TASKLINT_SMOKE_STRICT=$STRICT);" \
    "front-end crashes tasklint survived and reported: $nsurvived"
if [ "$nsurvived" -gt 0 ]; then
    sed 's/^/    /' "$T/survived"
fi
if [ -s "$report" ]; then
    cat "$report"
    echo "failing inputs kept in $KEEP"
fi
if [ $failed = 1 ]; then
    echo "hostile smoke test FAILED"
    exit 1
fi
echo "hostile smoke test passed"
