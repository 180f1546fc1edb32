#!/usr/bin/env python3
"""Validates a JSON document against a JSON schema for the harness (harness.js): reads
{"schema": …, "data": …} on standard input, writes {"valid": bool, "errors": [{"path",
"message"}]} on standard output. The schema's own $schema picks the draft (Draft 7 when it
names none)."""

import json
import sys

import jsonschema


def main():
    request = json.load(sys.stdin)
    schema, data = request["schema"], request.get("data")
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    errors = [
        {"path": "/" + "/".join(str(part) for part in error.absolute_path), "message": error.message}
        for error in validator_class(schema).iter_errors(data)
    ]
    json.dump({"valid": not errors, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
