"""Runs the AWS SAM translator over templates, as CloudFormation does on deploy.

`sam deploy` first packages local CodeUri and Location values into S3 URLs; this script stands in
for that step with placeholder URLs, then transforms each template and fails on any error. It needs
only aws-sam-translator (no AWS account): the region is a placeholder too.
"""

import logging
import os
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


def main(paths):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # transform() records timing metrics for a publisher that discards them, and warns "There are
    # unpublished metrics" when they are garbage-collected: noise, since nothing is ever published.
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            template = packaged(yaml_parse(f.read()))
        try:
            out = transform(template, {}, NoManagedPolicies())
        except InvalidDocumentException as err:
            failed = True
            for cause in err.causes:
                print(f"{path}: {cause}", file=sys.stderr)
            continue
        print(f"{path}: translates to {len(out['Resources'])} CloudFormation resources")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
