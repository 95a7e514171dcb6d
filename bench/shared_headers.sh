#!/usr/bin/env bash
# bench/shared_headers.sh - what shared precompiled prefixes save on real
# projects, side by side with the peers (docs/shared-headers.md).
#
#   bench/shared_headers.sh [-r ROUNDS] NAME=BUILD_DIR[:REGEX] [...]
#
# BUILD_DIR holds the project's compile_commands.json (not modified: a copy
# with one entry per file, the first, and only the files whose path matches
# REGEX when given, is what every tool reads).  E.g.
#   bench/shared_headers.sh redis=/tmp/proj/redis libuv=/tmp/j12/libuv/build  Each round
# runs, interleaved (project by project, tool by tool), each under GNU time
# (wall, user, sys, peak RSS of the largest process):
#   shared    tasklint -j1 --no-db            (cold: the PCHs are built in the run)
#   plain     tasklint -j1 --no-db --no-shared-headers
#   tidy      clang-tidy-19 -p DB --quiet --checks=-*,bugprone-unused-return-value FILES,
#             one process per compile directory of the database (one process
#             for all files mixes up same-named headers of TUs compiled in
#             different directories: "./adlist.h" of redis's src/ and deps/)
#   fsyntax   clang-19 -fsyntax-only -w per file, the database's arguments
#   bound     tasklint -j1 with a store, every file against a PCH of its whole
#             leading include run, built before the rounds (warm): what exact-
#             prefix sharing could reach at best
# then prints per project the medians and the ratios of CPU time (user+sys)
# with their spread over the rounds (min-max of the per-round ratios), and
# the size of the PCH cache a run with a store keeps.  Use `nice` and few
# rounds on a shared machine; read small differences as noise.
#
# Environment: TASKLINT (default: build-rel/tasklint, else build/tasklint of
# this checkout), CLANG_TIDY (clang-tidy-19), CLANG (clang-19), OUT (the
# directory for runs.tsv and the generated files; default a temporary one).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
TL=${TASKLINT:-}
if [ -z "$TL" ]; then
    TL=$here/build-rel/tasklint
    [ -x "$TL" ] || TL=$here/build/tasklint
fi
TIDY=${CLANG_TIDY:-clang-tidy-19}
export TIDY
CLANG=${CLANG:-clang-19}
rounds=3
if [ "${1:-}" = -r ]; then
    rounds=$2
    shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [-r ROUNDS] NAME=BUILD_DIR..." >&2; exit 2; }
[ -x "$TL" ] || { echo "$0: no tasklint at $TL (set TASKLINT=...)" >&2; exit 2; }
command -v "$TIDY" >/dev/null || { echo "$0: $TIDY not found (apt-get install clang-tidy-19)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "$0: GNU time (/usr/bin/time) not found" >&2; exit 2; }
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
echo "results in $OUT"

# one entry per file; the per-file clang commands and the file list
names=()
for spec in "$@"; do
    name=${spec%%=*}
    rest=${spec#*=}
    regex=
    case $rest in *:*) regex=${rest#*:}; rest=${rest%%:*} ;; esac
    dir=$(cd "$rest" && pwd)
    mkdir -p "$OUT/$name"
    python3 - "$dir/compile_commands.json" "$OUT/$name" "$CLANG" "$regex" <<'EOF'
import json, os, re, shlex, sys
src, out, clang, regex = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
seen, keep = set(), []
for e in json.load(open(src)):
    f = e["file"] if os.path.isabs(e["file"]) else os.path.join(e["directory"], e["file"])
    f = os.path.normpath(f)
    if f in seen or (regex and not re.search(regex, f)):
        continue
    seen.add(f)
    keep.append(e)
json.dump(keep, open(os.path.join(out, "compile_commands.json"), "w"), indent=1)
by_dir = {}
for e in keep:
    f = e["file"] if os.path.isabs(e["file"]) else os.path.join(e["directory"], e["file"])
    by_dir.setdefault(e["directory"], []).append(os.path.normpath(f))
with open(os.path.join(out, "tidy.sh"), "w") as t:
    t.write('rc=0\n')
    for d, fs in by_dir.items():
        t.write('"$TIDY" -p %s --quiet "--checks=-*,bugprone-unused-return-value" %s || rc=$?\n'
                % (shlex.quote(out), " ".join(shlex.quote(f) for f in fs)))
    t.write('exit $rc\n')
with open(os.path.join(out, "files.txt"), "w") as fl, open(os.path.join(out, "fsyntax.sh"), "w") as sh:
    sh.write("set -e\n")
    for e in keep:
        args = e.get("arguments") or shlex.split(e["command"])
        f = e["file"] if os.path.isabs(e["file"]) else os.path.join(e["directory"], e["file"])
        fl.write(os.path.normpath(f) + "\n")
        kept, skip = [], False
        for a in args[1:]:
            if skip:
                skip = False
                continue
            if a in ("-c", "-MD", "-MMD", "-MP"):
                continue
            if a in ("-o", "-MF", "-MT", "-MQ"):
                skip = True
                continue
            if a == e["file"] or os.path.normpath(os.path.join(e["directory"], a)) == os.path.normpath(f):
                continue
            kept.append(a)
        sh.write("cd %s && %s -fsyntax-only -w %s %s\n" % (shlex.quote(e["directory"]), clang,
                 " ".join(shlex.quote(a) for a in kept), shlex.quote(f)))
EOF
    names+=("$name")
    echo "$name: $(wc -l <"$OUT/$name/files.txt") files"
done

tsv=$OUT/runs.tsv
printf 'round\tproject\ttool\twall\tuser\tsys\tmaxrss_kb\n' >"$tsv"
run() { # round project tool command...
    local r=$1 p=$2 t=$3
    shift 3
    /usr/bin/time -o "$OUT/time.txt" -f '%e\t%U\t%S\t%M' nice "$@" >/dev/null 2>"$OUT/$p/$t.err" || true
    printf '%s\t%s\t%s\t%s\n' "$r" "$p" "$t" "$(tail -1 "$OUT/time.txt")" >>"$tsv"
}
# the bound's PCHs, built once before the rounds (not timed)
for p in "${names[@]}"; do
    mkdir -p "$OUT/$p/bound"
    TASKLINT_SHARED_HEADERS_MIN=1 TASKLINT_SHARED_HEADERS_MIN_BYTES=0 \
        nice "$TL" -j1 -q --db "$OUT/$p/bound/findings.db" -p "$OUT/$p" >/dev/null 2>&1 || true
done
for ((r = 1; r <= rounds; r++)); do
    for p in "${names[@]}"; do
        D=$OUT/$p
        run "$r" "$p" shared "$TL" -j1 --no-db -q -p "$D"
        run "$r" "$p" plain "$TL" -j1 --no-db -q --no-shared-headers -p "$D"
        run "$r" "$p" tidy bash "$D/tidy.sh"
        # the bound of exact-prefix sharing: every file parsed against a PCH of
        # its whole leading include run, already built (warm); the store is
        # removed each time so that every file is analysed again
        rm -f "$D/bound/findings.db" "$D/bound/findings.db-"*
        TASKLINT_SHARED_HEADERS_MIN=1 TASKLINT_SHARED_HEADERS_MIN_BYTES=0 \
            run "$r" "$p" bound "$TL" -j1 -q --db "$D/bound/findings.db" -p "$D"
        run "$r" "$p" fsyntax bash "$D/fsyntax.sh"
        echo "round $r $p done"
    done
done

# the cache a run with a store keeps, and what -v says about the sharing
for p in "${names[@]}"; do
    db=$OUT/$p/store/findings.db
    mkdir -p "$OUT/$p/store"
    nice "$TL" -j1 -v --db "$db" -p "$OUT/$p" >/dev/null 2>"$OUT/$p/store.err" || true
    echo "$p: $(grep '^shared headers' "$OUT/$p/store.err" || echo 'no shared-headers line')"
    echo "$p: PCH cache $(du -sk "$db.pch" | cut -f1) KiB in $(find "$db.pch" -type f -name '*.pch' | wc -l) PCHs"
done

python3 - "$tsv" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    r["cpu"] = float(r["user"]) + float(r["sys"])
    by.setdefault((r["project"], r["tool"]), []).append(r)
projects = sorted({r["project"] for r in rows})
for p in projects:
    print(f"\n{p} (medians of {len(by[(p, 'shared')])} rounds)")
    print(f"  {'tool':8} {'cpu s':>7} {'wall s':>7} {'peak MiB':>9}")
    for t in ("shared", "plain", "tidy", "fsyntax", "bound"):
        rs = by.get((p, t), [])
        if not rs:
            continue
        print(f"  {t:8} {statistics.median(r['cpu'] for r in rs):7.2f} "
              f"{statistics.median(float(r['wall']) for r in rs):7.2f} "
              f"{max(int(r['maxrss_kb']) for r in rs) / 1024:9.1f}")
    for base in ("tidy", "plain", "fsyntax"):
        pairs = [(a, b) for a in by[(p, "shared")] for b in by[(p, base)] if a["round"] == b["round"]]
        cpu = [a["cpu"] / b["cpu"] for a, b in pairs]
        wall = [float(a["wall"]) / float(b["wall"]) for a, b in pairs]
        print(f"  shared / {base:8} cpu {statistics.median(cpu):.2f} [{min(cpu):.2f}-{max(cpu):.2f}]"
              f"  wall {statistics.median(wall):.2f} [{min(wall):.2f}-{max(wall):.2f}]")
    pairs = [(a, b) for a in by.get((p, "bound"), []) for b in by[(p, "tidy")] if a["round"] == b["round"]]
    if pairs:
        cpu = [a["cpu"] / b["cpu"] for a, b in pairs]
        print(f"  bound  / tidy     cpu {statistics.median(cpu):.2f} [{min(cpu):.2f}-{max(cpu):.2f}]"
              "  (every file against its whole prefix, PCHs warm)")
EOF
