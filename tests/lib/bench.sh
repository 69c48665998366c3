# shellcheck shell=bash
# What a benchmark in tests/bench/ reports, and how: one row per measure,
# each against a baseline measured in the same run, as JSON lines that
# tests/bench/run gathers into one table per benchmark and build/bench.json.
# Source after world.sh, inside the world:
#
#   bench_title "a host name lookup through glibc (gethostbyname2_r)"
#   bench_row MEASURE VALUE UNIT [BASELINE VALUE [AIM [BETTER]]]
#   bench_note "the guests ran under tcg"     # a line under the table
#   bench_done                                # at the end
#
# AIM is what the ratio VALUE/BASELINE should be, e.g. ">=0.95" or "<=1.2";
# BETTER is "higher" or "lower" (taken from AIM when it has one).  A row
# without a baseline is a plain figure (a count, a size); its AIM, if any,
# compares VALUE itself.  No benchmark fails on a time: a row states, the
# reader judges.
#
# Under tests/bench/run, BENCH_RESULTS names the file the rows go to and
# the run prints them; a benchmark run by hand prints its own table at
# bench_done.

BENCH_STANDALONE=
if [ -z "${BENCH_RESULTS:-}" ]; then
        BENCH_STANDALONE=1
        BENCH_RESULTS=$W/bench-results.jsonl
        : > "$BENCH_RESULTS"
        # the machine as tests/bench/run states it, for this one
        BENCH_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
fi

# bench_json_string S: S as a JSON string (our own measure names: only
# quotes and backslashes need care).
bench_json_string() {
        local s=${1//\\/\\\\}
        s=${s//\"/\\\"}
        printf '"%s"' "$s"
}

# median VALUE...: the middle one (an odd count: a figure a round really
# had), "" for none.
median() {
        printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

bench_title() {
        printf '{"title": %s}\n' "$(bench_json_string "$1")" >> "$BENCH_RESULTS"
}

bench_note() {
        printf '{"note": %s}\n' "$(bench_json_string "$1")" >> "$BENCH_RESULTS"
}

bench_row() {
        local measure=$1 value=$2 unit=$3 baseline=${4:-} base_value=${5:-} aim=${6:-} better=${7:-}
        [[ $value =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || fail "bench_row $measure: value '$value' is no number"
        if [ -n "$baseline" ]; then
                [[ $base_value =~ ^-?[0-9]+(\.[0-9]+)?$ ]] ||
                        fail "bench_row $measure: baseline value '$base_value' is no number"
        fi
        if [ -z "$better" ]; then
                case $aim in
                '>'*) better=higher ;;
                '<'*) better=lower ;;
                esac
        fi
        printf '{"measure": %s, "value": %s, "unit": %s, "baseline": %s, "baseline_value": %s, "aim": %s, "better": %s}\n' \
                "$(bench_json_string "$measure")" "$value" "$(bench_json_string "$unit")" \
                "$(bench_json_string "$baseline")" "${base_value:-null}" \
                "$(bench_json_string "$aim")" "$(bench_json_string "$better")" >> "$BENCH_RESULTS"
}

bench_done() {
        [ -n "$BENCH_STANDALONE" ] || return 0
        python3 "$ROOT/tests/lib/bench_report.py" table "${0##*/}" "$BENCH_RESULTS" "$BENCH_LOAD" ""
}

# bench_percentile P FILE: the P-th percentile (nearest rank) of the
# numbers in FILE, one a line.
bench_percentile() {
        sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 } END {
                if (NR == 0) { print "nan"; exit }
                r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
                print v[r] }'
}
