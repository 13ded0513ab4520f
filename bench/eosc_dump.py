#!/usr/bin/env python3
"""A synthetic EOSC Marketplace database dump (the 2024 generation) for bench/eosc_load.sh.

Names, descriptions, taglines and the vocabularies (categories, scientific domains, providers,
platforms, target users, TRLs, access modes) come from the real catalogue seeds in
$RECPLAT_DATASETS/eosc-marketplace-catalog-seeds (default ../shared/datasets), cycled with a
number so that ids stay unique. Users have a hidden preference for one category and one
scientific domain; each accessed service is, with probability 0.8, one of those, else any.

Usage: eosc_dump.py SERVICES USERS OUT.json [ACTIONS.json]
"""
import json
import os
import random
import sys

services_n, users_n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
root = os.environ.get("RECPLAT_DATASETS",
                      os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets"))
seeds = os.path.join(root, "eosc-marketplace-catalog-seeds")


def load(name):
    with open(os.path.join(seeds, name)) as f:
        return json.load(f)


names = load("service_names_descs.json")
taglines = load("service_taglines.json")
vocab = {
    "categories": load("category_names.json"),
    "scientific_domains": load("scientific_domain_names.json"),
    "providers": load("provider_names.json"),
    "platforms": load("platform_names.json"),
    "target_users": list(load("target_user_names_descs.json")),
    "trls": list(load("trl_names_descs.json")),
    "access_modes": list(load("access_mode_names_descs.json")),
    "access_types": list(load("access_type_names_descs.json")),
    "life_cycle_statuses": list(load("life_cycle_status_names_descs.json")),
    "research_steps": list(load("research_step_names_descs.json")),
}
random.seed(11)
base = list(names.items())
services = []
by_cat, by_dom = {}, {}
for s in range(1, services_n + 1):
    name, desc = base[s % len(base)]
    cat = random.randrange(len(vocab["categories"])) + 1
    dom = random.randrange(len(vocab["scientific_domains"])) + 1
    by_cat.setdefault(cat, []).append(s)
    by_dom.setdefault(dom, []).append(s)
    services.append({
        "id": s, "pid": None, "name": f"{name} {s}", "description": desc,
        "tagline": taglines[s % len(taglines)], "countries": random.sample(["PL", "DE", "FR", "WW"], 2),
        "order_type": "open_access", "rating": "5", "categories": [cat],
        "providers": [random.randrange(len(vocab["providers"])) + 1],
        "resource_organisation": random.randrange(len(vocab["providers"])) + 1,
        "scientific_domains": [dom], "platforms": [random.randrange(len(vocab["platforms"])) + 1],
        "target_users": [random.randrange(len(vocab["target_users"])) + 1],
        "related_services": [], "required_services": [],
        "access_modes": [random.randrange(len(vocab["access_modes"])) + 1],
        "access_types": [random.randrange(len(vocab["access_types"])) + 1],
        "trls": [random.randrange(len(vocab["trls"])) + 1],
        "life_cycle_statuses": [random.randrange(len(vocab["life_cycle_statuses"])) + 1],
        "research_steps": [random.randrange(len(vocab["research_steps"])) + 1],
        "horizontal": False, "status": "published" if s % 20 else "unverified"})
users = []
for u in range(1, users_n + 1):
    fc = random.choice(list(by_cat))
    fd = random.choice(list(by_dom))
    accessed = []
    for _ in range(random.randint(1, 8)):
        if random.random() < 0.8:
            s = random.choice(by_cat[fc] if random.random() < 0.5 else by_dom[fd])
        else:
            s = random.randrange(services_n) + 1
        if s not in accessed:
            accessed.append(s)
    users.append({"id": u, "aai_uid": f"user{u}@egi.eu", "scientific_domains": [fd],
                  "categories": [fc], "accessed_services": accessed})
dump = {"services": services, "users": users, "projects": []}
for key, values in vocab.items():
    dump[key] = [{"id": i + 1, "name": v, "description": None} for i, v in enumerate(values)]
with open(out, "w") as f:
    json.dump(dump, f)
