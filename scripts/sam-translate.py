"""Runs the AWS SAM translator over templates, as CloudFormation does on deploy.

`sam deploy` first packages local CodeUri and Location values into S3 URLs; this script stands in
for that step with placeholder URLs, then transforms the template and fails on any error. It needs
only aws-sam-translator (no AWS account): the region is a placeholder too.

  sam-translate.py TEMPLATE...
      translates each template and prints one line per template (exit 1 on any error);
  sam-translate.py --out FILE.json [--parameter-overrides 'Key=Value Key2="a b"'] TEMPLATE
      writes the CloudFormation JSON that CloudFormation would receive for TEMPLATE, the parameter
      values applied as CloudFormation applies them (validated against the template's constraints,
      then passed to the transforms);
  sam-translate.py --check-parameters [--parameter-overrides ...] TEMPLATE
      checks the overrides against TEMPLATE's parameter constraints only (exit 1 saying which breaks
      which), and prints each override TEMPLATE declares as one NAME<TAB>VALUE line: `make deploy`'s
      pre-flight.

A template that declares AWS::LanguageExtensions before AWS::Serverless-2016-10-31 has its Fn::If
resolved first, as that transform does when the condition depends on parameter values only (see
resolve_language_extensions).
"""

import argparse
import copy
import json
import logging
import os
import re
import sys

try:
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse
except ImportError as err:
    # What `make local` and `make test` install by themselves (scripts/python-env.sh); run directly, a
    # missing translator gets this line rather than a traceback.
    sys.exit(f"sam-translate: requirements.txt's aws-sam-translator is missing from {sys.executable} ({err}): "
             "python3 -m pip install -r requirements.txt, or run make local / make test, which install it")

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SERVERLESS = "AWS::Serverless-2016-10-31"


class TemplateError(Exception):
    """A template or a parameter value CloudFormation would refuse."""


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
            # The source path stays visible, so that a reader can tell the nested stacks apart.
            props["Location"] = "https://s3.amazonaws.com/placeholder-bucket/" + props["Location"].lstrip("./")
    return template


# `sam deploy --parameter-overrides` syntax: space-separated Key=Value pairs, a value optionally wrapped
# in single or double quotes (then it may hold spaces), backslash escaping a quote or a space. This is
# what SAM CLI's CfnParameterOverridesType accepts (samcli/cli/types.py in aws/aws-sam-cli); unlike it,
# anything that is not such a pair is an error here rather than silently skipped.
_PAIR = re.compile(
    r"""\s*([A-Za-z0-9]+)=("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|(?:\\.|[^\s"'\\])*)(?=\s|$)"""
)


def parse_overrides(text):
    values = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _PAIR.match(text, pos)
        if not m:
            raise TemplateError(
                f"--parameter-overrides: cannot read {text[pos:].strip()!r}; "
                "expected Key=Value pairs separated by spaces, values with spaces in quotes"
            )
        key, value = m.group(1), m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = re.sub(r"\\(.)", r"\1", value)
        pos = m.end()
    return values


def parameter_values(template, overrides, require_all=True):
    """The value of every template parameter: the override or the default, checked against the
    parameter's constraints as CloudFormation checks them before any transform runs
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html;
    AllowedPattern is a Java regex, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-regexes.html,
    and the patterns used here mean the same in Python's re).

    Overrides naming a parameter the template does not declare are ignored, as `sam deploy` ignores
    them (DeployContext.merge_parameters in aws/aws-sam-cli), so one override string serves every stack.
    Without require_all (linting), a parameter with neither override nor default is left out.
    """
    values = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if name in overrides:
            value = overrides[name]
        elif "Default" in spec:
            value = str(spec["Default"])
        elif not require_all:
            continue  # linting: the translator leaves a Ref to it as it is
        else:
            raise TemplateError(f"parameter {name} has no default: pass it with --parameter-overrides {name}=...")
        check_parameter(name, spec, value)
        values[name] = value
    return values


def check_parameter(name, spec, value):
    why = spec.get("ConstraintDescription")
    suffix = f" ({why})" if why else ""
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(v) for v in allowed]:
        raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}{suffix}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(pattern, value):
        raise TemplateError(f"parameter {name}={value!r} does not match {pattern}{suffix}")
    for key, ok in (("MinLength", lambda n: len(value) >= n), ("MaxLength", lambda n: len(value) <= n)):
        if key in spec and not ok(int(spec[key])):
            raise TemplateError(f"parameter {name}={value!r} breaks {key} {spec[key]}{suffix}")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            raise TemplateError(f"parameter {name}={value!r} is not a number") from None
        for key, ok in (("MinValue", lambda n: number >= n), ("MaxValue", lambda n: number <= n)):
            if key in spec and not ok(float(spec[key])):
                raise TemplateError(f"parameter {name}={value!r} breaks {key} {spec[key]}{suffix}")


def transforms_of(template):
    declared = template.get("Transform", [])
    return [declared] if isinstance(declared, str) else list(declared)


_NO_VALUE = {"Ref": "AWS::NoValue"}
_UNRESOLVED = object()


def resolve_language_extensions(template, params):
    """What AWS::LanguageExtensions does to the Fn::If this project uses, before the SAM transform runs:
    an Fn::If whose condition depends on parameter values only becomes the chosen branch, and a branch
    of AWS::NoValue removes the property. SAM's maintainers point to this for properties the SAM
    transform cannot take conditionally (aws/serverless-application-model issues 1724 and 1859), and
    SAM CLI's own copy of the transform's resolver does exactly this
    (samcli/lib/cfn_language_extensions/resolvers/fn_if.py in aws/aws-sam-cli).

    Only this subset is emulated; a template using the transform's other functions fails here rather
    than being translated wrongly.
    """
    for fn in ("Fn::ForEach", "Fn::Length", "Fn::ToJsonString"):
        if fn in json.dumps(template):
            raise TemplateError(f"{fn} (AWS::LanguageExtensions) is not emulated by scripts/sam-translate.py")
    conditions = template.get("Conditions") or {}
    cache = {}

    def condition(name, stack=()):
        if name in cache:
            return cache[name]
        if name not in conditions:
            raise TemplateError(f"Fn::If names condition {name!r}, which Conditions does not declare")
        if name in stack:
            raise TemplateError(f"condition {name!r} refers to itself")
        cache[name] = evaluate(conditions[name], stack + (name,))
        return cache[name]

    def evaluate(expr, stack):
        """A condition's value, or _UNRESOLVED when it depends on more than parameter values."""
        if isinstance(expr, dict) and len(expr) == 1:
            (fn, args), = expr.items()
            if fn == "Condition":
                return condition(args, stack)
            if fn == "Ref":
                return params.get(args, _UNRESOLVED)
            if fn == "Fn::Equals":
                a, b = (evaluate(x, stack) for x in args)
                return _UNRESOLVED if _UNRESOLVED in (a, b) else str(a) == str(b)
            if fn in ("Fn::Not", "Fn::And", "Fn::Or"):
                vals = [evaluate(x, stack) for x in args]
                if _UNRESOLVED in vals:
                    return _UNRESOLVED
                return {"Fn::Not": lambda: not vals[0], "Fn::And": lambda: all(vals), "Fn::Or": lambda: any(vals)}[fn]()
            return _UNRESOLVED
        if isinstance(expr, (str, int, float, bool)):
            return str(expr).lower() if isinstance(expr, bool) else expr
        return _UNRESOLVED

    def walk(node):
        if isinstance(node, list):
            items = [walk(x) for x in node]
            return [x for x in items if x is not _NO_VALUE_MARK]
        if not isinstance(node, dict):
            return node
        if len(node) == 1 and "Fn::If" in node:
            name, if_true, if_false = node["Fn::If"]
            chosen = condition(name)
            if chosen is not _UNRESOLVED:
                branch = if_true if chosen else if_false
                return _NO_VALUE_MARK if branch == _NO_VALUE else walk(branch)
        out = {}
        for key, value in node.items():
            value = walk(value)
            if value is not _NO_VALUE_MARK:
                out[key] = value
        return out

    resolved = {key: (walk(value) if key in ("Resources", "Outputs", "Globals") else value) for key, value in template.items()}
    resolved["Transform"] = [t for t in transforms_of(template) if t != LANGUAGE_EXTENSIONS]
    return resolved


_NO_VALUE_MARK = object()


def translate(path, overrides, require_all=True):
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise TemplateError("not a CloudFormation template (no Resources)")
    params = parameter_values(template, overrides, require_all)
    transforms = transforms_of(template)
    unknown = [t for t in transforms if t not in (LANGUAGE_EXTENSIONS, SERVERLESS)]
    if unknown:
        raise TemplateError(f"transforms {unknown} are not emulated")
    if LANGUAGE_EXTENSIONS in transforms:
        # CloudFormation runs the transforms in the order the template lists them.
        if SERVERLESS in transforms and transforms.index(LANGUAGE_EXTENSIONS) > transforms.index(SERVERLESS):
            raise TemplateError(f"{LANGUAGE_EXTENSIONS} must come before {SERVERLESS}")
        template = resolve_language_extensions(template, params)
    template = packaged(template)
    if SERVERLESS not in transforms_of(template):
        template.pop("Transform", None)
        return template
    try:
        # CloudFormation hands the macro every parameter's value as a string.
        return transform(template, copy.deepcopy(params), NoManagedPolicies())
    except InvalidDocumentException as err:
        raise TemplateError("; ".join(str(c) for c in err.causes)) from None


def no_feature_toggle_config(record):
    """Drops "Feature '...' not available in Feature Toggle Config.": the translator looks its feature
    flags up in a config that only AWS's own deployment loads (from AppConfig), and without one every
    flag is off, as it should be here; the warning says nothing about the template."""
    return "not available in Feature Toggle Config" not in record.getMessage()


def check_parameters(paths, overrides):
    if len(paths) != 1:
        print("sam-translate: --check-parameters takes exactly one TEMPLATE", file=sys.stderr)
        return 2
    path = paths[0]
    try:
        with open(path, encoding="utf-8") as f:
            template = yaml_parse(f.read())
        # Parameters left out keep their previous value on an update (sam deploy) or their default.
        declared = parameter_values(template, overrides, require_all=False)
    except (OSError, TemplateError) as err:
        print(f"{path}: {err}", file=sys.stderr)
        return 1
    for name, value in overrides.items():
        if name in declared:
            print(f"{name}\t{value}")
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the translated template of the one TEMPLATE here, as JSON")
    parser.add_argument("--parameter-overrides", default="", help="Key=Value pairs, as sam deploy takes them")
    parser.add_argument("--check-parameters", action="store_true", help="only check the overrides against TEMPLATE's parameters")
    parser.add_argument("templates", nargs="+", metavar="TEMPLATE")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # transform() records timing metrics for a publisher that discards them, and warns "There are
    # unpublished metrics" when they are garbage-collected: noise, since nothing is ever published.
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    logging.getLogger("samtranslator.feature_toggle.feature_toggle").addFilter(no_feature_toggle_config)

    try:
        overrides = parse_overrides(args.parameter_overrides)
    except TemplateError as err:
        print(f"sam-translate: {err}", file=sys.stderr)
        return 2
    if args.check_parameters:
        return check_parameters(args.templates, overrides)
    if args.out is not None:
        if len(args.templates) != 1:
            print("sam-translate: --out takes exactly one TEMPLATE", file=sys.stderr)
            return 2
        path = args.templates[0]
        try:
            out = translate(path, overrides)
        except (OSError, TemplateError) as err:
            print(f"{path}: {err}", file=sys.stderr)
            return 1
        try:
            with open(args.out, "w", encoding="utf-8") as f:
                json.dump(out, f, indent=1, sort_keys=True)
                f.write("\n")
        except OSError as err:
            print(f"sam-translate: cannot write {args.out}: {err}", file=sys.stderr)
            return 1
        return 0

    failed = False
    for path in args.templates:
        try:
            out = translate(path, overrides, require_all=False)
        except (OSError, TemplateError) as err:
            failed = True
            print(f"{path}: {err}", file=sys.stderr)
            continue
        print(f"{path}: translates to {len(out['Resources'])} CloudFormation resources")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
