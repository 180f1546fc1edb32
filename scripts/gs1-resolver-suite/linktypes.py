#!/usr/bin/env python3
"""Writes gs1/linktypes.json, the list of GS1 link types that GS1's resolver test suite
fetches from GS1's web site, from a copy of the GS1 Web Vocabulary (gs1Voc.jsonld).

A link type is a property of the vocabulary whose rdfs:subPropertyOf is gs1:linkType. The
list is an object keyed by the link type's name (`pip`, `traceability`, ...), which is all
the suite reads of it.

    python3 linktypes.py PATH/TO/gs1Voc.jsonld > gs1/linktypes.json
"""

import json
import sys


def text(value):
    """The English text of a JSON-LD literal, or its plain value."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict) and v.get("@language") == "en"), value[0])
    if isinstance(value, dict):
        return value.get("@value", "")
    return value or ""


def main(path):
    with open(path, encoding="utf-8-sig") as file:
        vocabulary = json.load(file)
    types = {}
    for term in vocabulary["@graph"]:
        parents = term.get("rdfs:subPropertyOf", [])
        parents = parents if isinstance(parents, list) else [parents]
        if any(isinstance(p, dict) and p.get("@id") == "gs1:linkType" for p in parents):
            name = term["@id"].removeprefix("gs1:")
            types[name] = {
                "title": text(term.get("rdfs:label")),
                "description": text(term.get("rdfs:comment")),
                "status": term.get("sw:term_status", ""),
            }
    json.dump(dict(sorted(types.items())), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: linktypes.py gs1Voc.jsonld > gs1/linktypes.json")
    main(sys.argv[1])
