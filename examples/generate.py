#!/usr/bin/env python3
"""Generate the example contribution logs and rosters in this folder.

Deterministic: the same script always writes the same bytes, so the ledgers
snapshotted in tests/ stay stable. Run from anywhere:

    python3 examples/generate.py

Each policy in rules/ gets a folder here with `log.csv` (or `log.jsonl`) and
`people.csv`.
"""

import csv
import datetime as dt
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc


def stamp(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_moment(rng, start, days):
    return start + dt.timedelta(days=rng.randrange(days), minutes=rng.randrange(24 * 60))


def write_csv(folder, name, header, rows):
    path = os.path.join(HERE, folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_jsonl(folder, name, records):
    path = os.path.join(HERE, folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        for record in records:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


NAMES = [
    "ada", "ben", "cleo", "dana", "eli", "fay", "gus", "hana", "ivan", "jo",
    "kai", "lena", "milo", "nia", "omar", "pia", "quin", "rosa", "sam", "tara",
    "uma", "vic", "wes", "xia", "yan", "zoe", "abe", "bea", "cyd", "dev",
    "eva", "flo", "gil", "hal", "ina", "jay", "kit", "lou", "mae", "ned",
]


def community(rng):
    people = NAMES[:30]
    statuses = {p: rng.choice(["maintainer", "contributor", "contributor", "employee"]) for p in people}
    header = ["id", "who", "kind", "at", "lines", "repo", "pages", "severity",
              "duration", "answered", "words", "language", "audience", "recorded"]
    rows = []
    start = dt.datetime(2027, 1, 1, tzinfo=UTC)
    for n in range(420):
        who = rng.choice(people)
        kind = rng.choices(
            ["code", "doc", "review", "bug", "mentoring", "question", "translation", "talk"],
            [30, 10, 30, 10, 8, 15, 6, 2])[0]
        row = {"id": f"c-{n + 1:04d}", "who": who, "kind": kind,
               "at": stamp(random_moment(rng, start, 181))}
        if kind in ("code", "review"):
            row["lines"] = rng.choice([5, 12, 30, 45, 80, 150, 300, 650, 1200])
            row["repo"] = rng.choice(["core", "web", "docs-site"])
        elif kind == "doc":
            row["pages"] = rng.randint(1, 6)
        elif kind == "bug":
            row["severity"] = rng.choice(["low", "low", "medium", "high", "critical"])
        elif kind == "mentoring":
            row["duration"] = rng.choice(["30min", "45min", "1h", "1.5h", "2h"])
        elif kind == "question":
            row["answered"] = rng.choice(["true", "true", "false"])
        elif kind == "translation":
            row["words"] = rng.choice([250, 500, 800, 1200, 2000])
            row["language"] = rng.choice(["de", "fr", "ja", "pt"])
        elif kind == "talk":
            row["audience"] = rng.randint(20, 300)
            row["recorded"] = rng.choice(["true", "false"])
        rows.append([row.get(column, "") for column in header])
    rng.shuffle(rows)  # exports are rarely in time order; meed sorts
    write_csv("community", "log.csv", header, rows)
    write_csv("community", "people.csv", ["who", "status"], [[p, statuses[p]] for p in people])


def qa_reputation(rng):
    people = NAMES[:40]
    active = people[:4]  # a few heavy answerers hit the daily cap
    records = []
    start = dt.datetime(2027, 1, 1, tzinfo=UTC)
    for n in range(1500):
        who = rng.choice(active) if rng.random() < 0.7 else rng.choice(people)
        kind = rng.choices(["upvote", "downvote", "downvote_cast", "accepted", "accept"],
                           [70, 10, 5, 10, 5])[0]
        record = {"id": f"q-{n + 1:05d}", "who": who, "kind": kind,
                  "at": stamp(random_moment(rng, start, 7))}
        if kind in ("upvote", "downvote"):
            record["post"] = rng.choice(["question", "answer", "answer"])
        records.append(record)
    records.sort(key=lambda r: (r["at"], r["id"]))
    write_jsonl("qa_reputation", "log.jsonl", records)
    write_csv("qa_reputation", "people.csv", ["who"], [[p] for p in people])


def sales_commission(rng):
    people = NAMES[:20]
    statuses = {p: rng.choice(["employee", "employee", "employee", "contractor", "intern"]) for p in people}
    regions = {p: rng.choice(["north", "south", "east", "west"]) for p in people}
    header = ["id", "who", "kind", "at", "amount", "product"]
    rows = []
    start = dt.datetime(2027, 1, 1, tzinfo=UTC)
    for n in range(320):
        who = rng.choice(people)
        kind = "refund" if rng.random() < 0.08 else "sale"
        cents = rng.randint(50_000, 2_500_000)
        row = [f"s-{n + 1:04d}", who, kind, stamp(random_moment(rng, start, 181)),
               f"{cents // 100}.{cents % 100:02d}",
               rng.choice(["licence", "licence", "support"]) if kind == "sale" else ""]
        rows.append(row)
    rows.sort(key=lambda r: (r[3], r[0]))
    write_csv("sales_commission", "log.csv", header, rows)
    write_csv("sales_commission", "people.csv", ["who", "status", "region"],
              [[p, statuses[p], regions[p]] for p in people])


def oncall_timeoff(rng):
    people = NAMES[:12]
    header = ["id", "who", "kind", "at", "duration", "weekend", "severity"]
    rows = []
    berlin_winter = dt.timezone(dt.timedelta(hours=1))
    start = dt.datetime(2027, 1, 1, tzinfo=berlin_winter)
    for n in range(360):
        who = rng.choice(people)
        kind = rng.choices(["oncall_shift", "incident", "overtime"], [50, 35, 15])[0]
        moment = random_moment(rng, start, 365)
        row = {"id": f"o-{n + 1:04d}", "who": who, "kind": kind,
               # written with a +01:00 offset, as the paging tool exports it
               "at": moment.isoformat()}
        if kind == "oncall_shift":
            row["duration"] = rng.choice(["8h", "12h", "PT14H", "24h"])
            row["weekend"] = "true" if moment.weekday() >= 5 else "false"
        elif kind == "incident":
            row["duration"] = rng.choice(["20min", "45min", "90min", "PT2H30M", "4h"])
            row["severity"] = rng.choice(["sev1", "sev2", "sev2", "sev3", "sev3", "sev3"])
        else:
            row["duration"] = rng.choice(["1h", "2h", "3.5h", "6h"])
        rows.append([row.get(column, "") for column in header])
    rows.sort(key=lambda r: (r[3], r[0]))
    write_csv("oncall_timeoff", "log.csv", header, rows)
    write_csv("oncall_timeoff", "people.csv", ["who"], [[p] for p in people])


def volunteers(rng):
    people = NAMES[:40]
    statuses = {p: ("employee" if rng.random() < 0.25 else "volunteer") for p in people}
    teams = {p: rng.choice(["stage", "catering", "welcome", "cleanup"]) for p in people}
    header = ["id", "who", "kind", "at", "duration", "role"]
    rows = []
    start = dt.datetime(2027, 6, 1, tzinfo=UTC)
    for n in range(480):
        who = rng.choice(people)
        kind = rng.choices(["shift", "training", "referral"], [80, 12, 8])[0]
        row = {"id": f"v-{n + 1:04d}", "who": who, "kind": kind,
               "at": stamp(random_moment(rng, start, 122))}
        if kind == "shift":
            row["duration"] = rng.choice(["2h", "3h", "4h", "6h", "8h", "10h"])
            row["role"] = "lead" if rng.random() < 0.2 else "helper"
        elif kind == "training":
            row["duration"] = rng.choice(["1h", "2h"])
        rows.append([row.get(column, "") for column in header])
    rows.sort(key=lambda r: (r[3], r[0]))
    write_csv("volunteers", "log.csv", header, rows)
    write_csv("volunteers", "people.csv", ["who", "status", "team"],
              [[p, statuses[p], teams[p]] for p in people])


def main():
    for generate in (community, qa_reputation, sales_commission, oncall_timeoff, volunteers):
        generate(random.Random(f"meed-{generate.__name__}"))


if __name__ == "__main__":
    main()
