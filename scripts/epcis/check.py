#!/usr/bin/env python3
"""Checks an EPCIS 2.0 JSON-LD document: GS1's JSON schema, then the CBV 2.0 rules that the
schema leaves open (it accepts any string as a bizStep, say).

    python3 scripts/epcis/check.py DOCUMENT.jsonld

Prints each problem and exits 1, or prints "valid: N events" and exits 0."""
import json
import pathlib
import re
import sys

import jsonschema

HERE = pathlib.Path(__file__).resolve().parent

BIZ_STEPS = set("""accepting arriving assembling collecting commissioning consigning
creating_class_instance cycle_counting decommissioning departing destroying disassembling
dispensing encoding entering_exiting holding inspecting installing killing loading other
packing picking receiving removing repackaging repairing replacing reserving retail_selling
sampling sensor_reporting shipping staging_outbound stock_taking stocking storing
transporting unloading unpacking void_shipping""".split())
DISPOSITIONS = set("""active available completeness_verified completeness_inferred conformant
container_closed container_open damaged destroyed dispensed disposed encoded expired
in_progress in_transit inactive mismatch_instance mismatch_class mismatch_quantity
needs_replacement no_pedigree_match non_conformant non_sellable_other partially_dispensed
recalled reserved retail_sold returned sellable_accessible sellable_not_accessible stolen
unavailable unknown""".split())
SOURCE_DEST_TYPES = {"owning_party", "possessing_party", "location"}
UNITS = {"KGM", "GRM", "MGM", "TNE", "LTR", "MLT", "H87", "C62", "PR", "SET", "DZN", "MTR",
         "MTK", "MTQ", "CMT"}
EVENT_TYPES = {"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
OFFSET = re.compile(r"^[+-]\d{2}:\d{2}$")
LOT_CLASS = re.compile(r"^https://id\.gs1\.org/01/(\d{14})/10/([A-Za-z0-9%._~-]{1,60})$")
GLN_URI = re.compile(r"^https://id\.gs1\.org/(414|417)/(\d{13})$")


def gs1_check_digit_ok(digits):
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def check(document):
    problems = []
    schema = json.loads((HERE / "EPCIS-JSON-Schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
        problems.append("schema: %s: %s" % ("/".join(map(str, error.path)), error.message))
    context = document.get("@context", [])
    prefixes = {"cbvmda", "gs1", "epcis", "cbv"}
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            prefixes.update(entry.keys())
    events = document.get("epcisBody", {}).get("eventList", [])
    seen_ids = set()

    def check_class(where, epc_class):
        match = LOT_CLASS.match(epc_class or "")
        if not match:
            problems.append("%s: epcClass %r is not a GS1 Digital Link lot class" % (where, epc_class))
        elif not gs1_check_digit_ok(match.group(1)):
            problems.append("%s: epcClass %r has a wrong GTIN check digit" % (where, epc_class))

    for index, event in enumerate(events):
        where = "event %d" % (index + 1)
        kind = event.get("type")
        if kind not in EVENT_TYPES:
            problems.append("%s: type %r is not an EPCIS event type" % (where, kind))
        event_id = event.get("eventID")
        if not event_id or ":" not in event_id:
            problems.append("%s: eventID %r is not a URI" % (where, event_id))
        elif event_id in seen_ids:
            problems.append("%s: eventID %s is used twice" % (where, event_id))
        seen_ids.add(event_id)
        if not TIME.match(event.get("eventTime", "")):
            problems.append("%s: eventTime %r is not an ISO 8601 time" % (where, event.get("eventTime")))
        if not OFFSET.match(event.get("eventTimeZoneOffset", "")):
            problems.append("%s: eventTimeZoneOffset must be ±HH:MM" % where)
        if kind == "ObjectEvent" and event.get("action") not in {"ADD", "OBSERVE", "DELETE"}:
            problems.append("%s: action %r" % (where, event.get("action")))
        step = event.get("bizStep")
        # A word CBV lacks is a URI of the writer's own (the schema's vocab-other-uri), never
        # one under CBV's own namespaces.
        own = isinstance(step, str) and re.match(r"^https?://[^/]+/", step) is not None and \
            re.match(r"^(urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/)", step) is None
        if step is not None and step not in BIZ_STEPS and not own:
            problems.append("%s: bizStep %r is not CBV 2.0 vocabulary" % (where, step))
        disposition = event.get("disposition")
        if disposition is not None and disposition not in DISPOSITIONS:
            problems.append("%s: disposition %r is not CBV 2.0 vocabulary" % (where, disposition))
        if step == "commissioning" and kind == "ObjectEvent" and event.get("action") != "ADD":
            problems.append("%s: commissioning must ADD" % where)
        if disposition == "recalled" and kind == "ObjectEvent" and event.get("action") == "ADD":
            problems.append("%s: a recall observes, it does not ADD" % where)
        for list_name in ("quantityList", "inputQuantityList", "outputQuantityList"):
            for item in event.get(list_name, []):
                check_class("%s %s" % (where, list_name), item.get("epcClass"))
                if "quantity" in item:
                    if not isinstance(item["quantity"], (int, float)) or item["quantity"] <= 0:
                        problems.append("%s: quantity must be a positive number" % where)
                    if "uom" in item and item["uom"] not in UNITS:
                        problems.append("%s: uom %r is not a UN/ECE unit code" % (where, item.get("uom")))
        if kind == "TransformationEvent" and not (event.get("inputQuantityList") or event.get("inputEPCList")):
            problems.append("%s: a transformation needs inputs" % where)
        if kind == "TransformationEvent" and not (event.get("outputQuantityList") or event.get("outputEPCList")):
            problems.append("%s: a transformation needs outputs" % where)
        ilmd = event.get("ilmd", {})
        for name in ("cbvmda:productionDate", "cbvmda:itemExpirationDate",
                     "cbvmda:harvestStartDate", "cbvmda:harvestEndDate"):
            if name in ilmd and not DATE.match(str(ilmd[name])):
                problems.append("%s: %s %r is not YYYY-MM-DD" % (where, name, ilmd[name]))
        if ilmd.get("cbvmda:productionDate", "") > ilmd.get("cbvmda:itemExpirationDate", "9999"):
            problems.append("%s: expiry before production" % where)
        if "cbvmda:countryOfOrigin" in ilmd and not re.match(r"^[A-Z]{2}$", ilmd["cbvmda:countryOfOrigin"]):
            problems.append("%s: countryOfOrigin must be an ISO 3166 alpha-2 code" % where)
        for list_name, key in (("sourceList", "source"), ("destinationList", "destination")):
            for item in event.get(list_name, []):
                if item.get("type") not in SOURCE_DEST_TYPES:
                    problems.append("%s: %s type %r" % (where, list_name, item.get("type")))
                match = GLN_URI.match(item.get(key, ""))
                if not match or not gs1_check_digit_ok(match.group(2)):
                    problems.append("%s: %s %r is not a GS1 party or location" % (where, key, item.get(key)))
        location = event.get("bizLocation", {}).get("id")
        if location is not None:
            match = GLN_URI.match(location)
            if not match or not gs1_check_digit_ok(match.group(2)):
                problems.append("%s: bizLocation %r is not a GLN" % (where, location))
        for name in list(event.keys()) + list(ilmd.keys()):
            if ":" in name:
                prefix = name.split(":", 1)[0]
                if prefix not in prefixes:
                    problems.append("%s: %s uses an undeclared prefix" % (where, name))
    return problems, len(events)


def main():
    if len(sys.argv) != 2:
        print("usage: check.py DOCUMENT.jsonld", file=sys.stderr)
        return 64
    document = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    problems, count = check(document)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("valid: %d events" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
