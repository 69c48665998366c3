"""Tables and JSON of the benchmarks' rows (tests/lib/bench.sh writes them).

  bench_report.py table NAME RESULTS LOAD LOG [PREVIOUS_JSON]
      prints NAME's table: one row per measure with its baseline, the
      ratio, the aim, and the ratio of the previous run when known.
  bench_report.py json OUT PREVIOUS_JSON STARTED ENTRY...
      writes OUT (build/bench.json) from every ENTRY "NAME|RESULTS|LOAD|LOG|STATUS";
      the benchmarks of PREVIOUS_JSON that did not run this time are kept
      as they were (a run of some benchmarks only keeps the others' last).
"""
import json
import os
import platform
import sys


def read_results(path):
    title, notes, rows = "", [], []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                item = json.loads(line)
                if "title" in item:
                    title = item["title"]
                elif "note" in item:
                    notes.append(item["note"])
                else:
                    base = item.get("baseline_value")
                    item["ratio"] = (item["value"] / base) if base not in (None, 0) else None
                    rows.append(item)
    except FileNotFoundError:
        pass
    return title, notes, rows


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release()}


def fmt_number(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 100 or float(v).is_integer():
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    return "%.2f" % v


def fmt_ratio(r):
    if r is None:
        return "-"
    return "%.1f" % r if abs(r) >= 10 else "%.2f" % r


def previous_ratios(prev_path, name):
    """measure -> ratio (or value, for rows without a baseline) of the last run."""
    try:
        with open(prev_path) as f:
            prev = json.load(f)
    except (OSError, ValueError):
        return {}
    bench = prev.get("benchmarks", {}).get(name, {})
    out = {}
    for row in bench.get("rows", []):
        out[row["measure"]] = row["ratio"] if row.get("ratio") is not None else row["value"]
    return out


def machine_line(load):
    m = machine()
    return "machine: %d cores (%s), kernel %s, load average %s at start" % (
        m["cores"], m["cpu"] or "unknown CPU", m["kernel"], load)


def table(name, results, load, log, prev_path=None):
    title, notes, rows = read_results(results)
    last = previous_ratios(prev_path, name) if prev_path else {}
    print("== %s%s" % (name, ": " + title if title else ""))
    print("   " + machine_line(load))
    if log:
        print("   log: %s" % log)
    if not rows:
        print("   (no measures)")
        rows = []
    header = ["measure", "value", "baseline", "ratio", "aim", "last"]
    lines = []
    for r in rows:
        value = "%s %s" % (fmt_number(r["value"]), r["unit"])
        if r["baseline"]:
            base = "%s %s %s" % (r["baseline"], fmt_number(r["baseline_value"]), r["unit"])
        else:
            base = "-"
        prev = last.get(r["measure"])
        lines.append([r["measure"], value, base, fmt_ratio(r["ratio"]), r["aim"] or "-",
                      "-" if prev is None else (fmt_ratio(prev) if r["baseline"] else fmt_number(prev))])
    if not last:
        header = header[:-1]
        lines = [l[:-1] for l in lines]
    if not lines:
        for n in notes:
            print("   note: %s" % n)
        return
    widths = [max(len(str(x[i])) for x in lines + [header]) for i in range(len(header))]
    right = {1, 3, 5}
    for l in [header] + lines:
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(l, widths))]
        print("   " + "  ".join(cells).rstrip())
    for n in notes:
        print("   note: %s" % n)


def write_json(out, prev_path, started, entries):
    doc = {"started": started, "machine": machine(), "benchmarks": {}}
    try:
        with open(prev_path) as f:
            doc["benchmarks"] = json.load(f).get("benchmarks", {})
    except (OSError, ValueError):
        pass
    for e in entries:
        name, results, load, log, status = e.split("|", 4)
        title, notes, rows = read_results(results)
        doc["benchmarks"][name] = {
            "title": title, "started": started, "load_average_at_start": load, "log": log, "status": status,
            "notes": notes, "rows": rows,
        }
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, out)


def main(argv):
    if len(argv) >= 6 and argv[1] == "table":
        table(argv[2], argv[3], argv[4], argv[5], argv[6] if len(argv) > 6 else None)
        return 0
    if len(argv) >= 5 and argv[1] == "json":
        write_json(argv[2], argv[3], argv[4], argv[5:])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
