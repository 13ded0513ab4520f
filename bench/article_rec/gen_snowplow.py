#!/usr/bin/env python3
"""Generates a synthetic article_rec input: Snowplow enriched events as gzip JSON lines under
<out>/enriched/good/YYYY/MM/DD/part-NNNNN.gz (the layout of the job's bucket) and the articles
file <out>/articles.jsonl. Readers have a taste for one of `groups` groups of articles, read a
few articles per visit and send AMP page pings every 15 s while reading.

Usage: gen_snowplow.py --out DIR [--events N] [--articles A] [--clients C] [--days D]
                       [--groups G] [--objects-per-day K] [--now ISO] [--seed S]
"""
import argparse, datetime as dt, gzip, json, os, random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--events", type=int, default=100000)
    p.add_argument("--articles", type=int, default=500)
    p.add_argument("--clients", type=int, default=5000)
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--groups", type=int, default=10)
    p.add_argument("--objects-per-day", type=int, default=4)
    p.add_argument("--now", default=None)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rnd = random.Random(a.seed)
    now = dt.datetime.fromisoformat(a.now) if a.now else dt.datetime.now(dt.timezone.utc)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "articles.jsonl"), "w") as f:
        for i in range(a.articles):
            pub = now - dt.timedelta(days=rnd.uniform(0, 60))
            f.write(json.dumps({"external_id": 100000 + i, "path": f"/article/{100000 + i}/t{i}",
                                "title": f"Article {i}",
                                "published_at": pub.isoformat() if i % 10 else None}) + "\n")
    per_day = {}
    events = 0
    while events < a.events:
        c = rnd.randrange(a.clients)
        group = c % a.groups
        day = rnd.randrange(a.days)
        t = (now - dt.timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        t += dt.timedelta(seconds=rnd.uniform(0, 80000))
        if t > now:
            t = now - dt.timedelta(seconds=rnd.uniform(0, 3600))
        for _ in range(rnd.randint(2, 5)):
            art = rnd.randrange(a.articles // a.groups) * a.groups + group
            if rnd.random() < 0.1:
                art = rnd.randrange(a.articles)
            path = f"/article/{100000 + art}/t{art}"
            if rnd.random() < 0.02:
                path = "/emailnewsletter/2021"
            for _ in range(rnd.randint(1, 8)):
                line = {"app_id": "wcp", "event": "page_ping",
                        "collector_tstamp": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                        "page_urlpath": path,
                        "contexts_dev_amp_snowplow_amp_id_1": [{"ampClientId": f"amp-{c}"}]}
                per_day.setdefault(day, []).append(json.dumps(line))
                events += 1
                t += dt.timedelta(seconds=15)
    for day, lines in per_day.items():
        d = now - dt.timedelta(days=day)
        folder = os.path.join(a.out, "enriched", "good", f"{d.year:04d}", f"{d.month:02d}",
                              f"{d.day:02d}")
        os.makedirs(folder, exist_ok=True)
        k = a.objects_per_day
        for part in range(k):
            with gzip.open(os.path.join(folder, f"part-{part:05d}.gz"), "wt") as f:
                f.write("\n".join(lines[part::k]) + "\n")
    print(json.dumps({"events": events, "days": len(per_day)}))


if __name__ == "__main__":
    main()
