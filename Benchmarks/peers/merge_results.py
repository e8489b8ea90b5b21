#!/usr/bin/env python3
"""Pools the samples of several bench.py runs on the same machine into one results file, for
when the rounds had to be taken in more than one invocation (e.g. the finite-width cells in one
run, more infinite-width rounds in a second run with --skip-finite):

    merge_results.py results.json results-2.json [--output results.json]
    report.py results.json

A cell's samples (and failures) are concatenated across the files; the machine, date and mapping
check of the first file are kept, the others' dates and settings are listed under "merged_runs";
the round counts in "settings" become the largest number of samples any cell of each kind has.
"""
import argparse
import json

LABELS = ("group", "tool", "variant", "activation", "params", "depth", "width", "runs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--output")
    args = ap.parse_args()
    runs = [json.load(open(f)) for f in args.files]
    merged = runs[0]
    cells = {tuple(m.get(k) for k in LABELS): m for m in merged["measurements"]}
    for other in runs[1:]:
        for m in other["measurements"]:
            key = tuple(m.get(k) for k in LABELS)
            if key in cells:
                cells[key]["samples"] += m["samples"]
                cells[key].setdefault("failures", []).extend(m.get("failures", []))
            else:
                cells[key] = m
                merged["measurements"].append(m)
        merged["complete"] = merged.get("complete", True) and other.get("complete", True)
    merged["merged_runs"] = [dict(file=f, date=r["date"], settings=dict(r["settings"]), load_start=r.get("load_start"),
                                  load_end=r.get("load_end")) for f, r in zip(args.files, runs)]

    def most(pred):
        return max([len(m["samples"]) for m in merged["measurements"] if pred(m)] or [0])
    s = merged["settings"]
    s["rounds"] = most(lambda m: m["group"] == "infinite" and m["tool"] != "scipy-quad" and m["variant"] != "whole")
    s["deep_rounds"] = most(lambda m: m["tool"] == "scipy-quad" and m.get("depth") == 1000)
    s["whole_rounds"] = most(lambda m: m["variant"] == "whole" and m.get("depth") == 100)
    s["finite_rounds"] = most(lambda m: m["group"] == "finite")
    s.pop("skip_finite", None)
    with open(args.output or args.files[0], "w") as f:
        json.dump(merged, f, indent=1)


if __name__ == "__main__":
    main()
