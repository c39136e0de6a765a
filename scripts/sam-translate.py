"""Runs the AWS SAM translator over templates, as CloudFormation does on deploy.

`sam deploy` first packages local CodeUri and Location values into S3 URLs; this script stands in
for that step with placeholder URLs, then transforms each template and fails on any error. It needs
only aws-sam-translator (no AWS account): the region is a placeholder too.
"""

import argparse
import json
import os
import shlex
import sys

from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs only when a template names them by short name."""

    def load(self, *args, **kwargs):
        return {}


def packaged(template):
    globals_fn = template.get("Globals", {}).get("Function", {})
    if isinstance(globals_fn.get("CodeUri"), str):
        globals_fn["CodeUri"] = "s3://placeholder-bucket/code.zip"
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = "s3://placeholder-bucket/code.zip"
        if resource.get("Type") == "AWS::Serverless::Application" and isinstance(props.get("Location"), str):
            props["Location"] = "https://s3.amazonaws.com/placeholder-bucket/template.yaml"
    return template


def parse_overrides(text):
    """`sam deploy --parameter-overrides` syntax: Key=Value words, quoted values may hold spaces."""
    values = {}
    for word in shlex.split(text or ""):
        key, sep, value = word.partition("=")
        if key == "ParameterKey":
            key, sep, value = value.partition(",ParameterValue=")
        if not sep or not key:
            raise ValueError(f"parameter override {word!r}: want Key=Value")
        values[key] = value
    return values


def translate(path, parameter_values):
    with open(path, encoding="utf-8") as f:
        template = packaged(yaml_parse(f.read()))
    return transform(template, parameter_values, NoManagedPolicies())


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the translated template of the one TEMPLATE here, as JSON")
    parser.add_argument("--parameter-overrides", default="", help="Key=Value ..., as sam deploy takes them")
    parser.add_argument("templates", nargs="+", metavar="TEMPLATE")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        values = parse_overrides(args.parameter_overrides)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if args.out and len(args.templates) != 1:
        print("--out takes exactly one TEMPLATE", file=sys.stderr)
        return 2
    failed = False
    for path in args.templates:
        try:
            out = translate(path, values)
        except InvalidDocumentException as err:
            failed = True
            for cause in err.causes:
                print(f"{path}: {cause}", file=sys.stderr)
            continue
        if args.out:
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            tmp = args.out + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(out, f, indent=1, sort_keys=True)
            os.replace(tmp, args.out)
        else:
            print(f"{path}: translates to {len(out['Resources'])} CloudFormation resources")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
