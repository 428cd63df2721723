"""Offline checks of a synthesised template: cfn-lint, and cdk-nag on the SAM-expanded template.

cdk-nag runs during synthesis, but Chalice's construct emits AWS SAM resources
(`AWS::Serverless::Function`, `AWS::Serverless::Api`) that it does not look into. Here the template
is expanded with aws-sam-translator (what CloudFormation's transform does at deploy time), loaded
into a throwaway CDK app and checked again. Acknowledgements come from the template's own
`cdk_nag` metadata (written at synth) plus `acknowledgements.SAM_EXPANDED` for generated resources.

`python -m infra.checks TEMPLATE...` runs both and exits non-zero on any finding (`make synth`).
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@dataclass(frozen=True)
class Finding:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} at {self.where}: {self.message}"


def expand_sam(template: dict[str, Any], region: str = "eu-west-2") -> dict[str, Any]:
    """The template as CloudFormation sees it after the AWS::Serverless-2016-10-31 transform."""
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # No managed policy names are used (every function has its own role), so no IAM look-up.
    translator = Translator(managed_policy_map={}, sam_parser=Parser())
    expanded: dict[str, Any] = translator.translate(copy.deepcopy(template), parameter_values={})
    return expanded


def cfn_lint(template: dict[str, Any], region: str = "eu-west-2") -> list[Finding]:
    """cfn-lint's errors and warnings (it applies the SAM transform itself)."""
    from cfnlint.api import lint

    return [
        Finding(match.rule.id, "/".join(str(p) for p in match.path), match.message)
        for match in lint(json.dumps(template), regions=[region])
    ]


def nag_expanded(template: dict[str, Any], *, expanded: bool = False,
                 acknowledgements: dict[str, list[tuple[str, str]]] | None = None,
                 levels: tuple[str, ...] = ("error",)) -> list[Finding]:
    """cdk-nag AwsSolutions findings (errors by default) left unacknowledged on the expanded template.

    `acknowledgements` (logical id -> [(rule, reason)]) defaults to SAM_EXPANDED."""
    from aws_cdk import Acknowledgment, App, Stack, Validations
    from aws_cdk.cloudformation_include import CfnInclude
    from cdk_nag import AwsSolutionsChecks

    from .stacks.acknowledgements import SAM_EXPANDED

    resolved = template if expanded else expand_sam(template)
    if acknowledgements is None:
        acknowledgements = SAM_EXPANDED
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "expanded.json"
        path.write_text(json.dumps(resolved))
        app = App(outdir=str(Path(workdir) / "out"))
        stack = Stack(app, "Expanded")
        included = CfnInclude(stack, "Template", template_file=str(path))
        for logical_id, resource in resolved["Resources"].items():
            acks = [
                (rule["id"], rule["reason"])
                for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
            ] + [(f"AwsSolutions-{rule}", reason) for rule, reason in acknowledgements.get(logical_id, [])]
            if acks:
                Validations.of(included.get_resource(logical_id)).acknowledge(
                    *(Acknowledgment(id=rule, reason=reason) for rule, reason in acks)
                )
        report = AwsSolutionsChecks().validate_scope(stack)
        return [
            Finding(violation.rule_name, violation_place(resource.construct_path, resource.resource_logical_id),
                    violation.description)
            for violation in report.violations
            if violation.severity in levels
            for resource in violation.violating_resources
        ]


def violation_place(construct_path: str | None, logical_id: str | None) -> str:
    """Where a finding is, as its resource in the template: the construct path under the included
    template, or the logical id for a violation that names only that (cdk-nag sets one or the other)."""
    if construct_path is not None:
        return construct_path.removeprefix("Expanded/Template/")
    return logical_id or "?"


def main(paths: list[str]) -> int:
    failed = False
    for path in paths:
        template = json.loads(Path(path).read_text())
        for label, findings in (("cfn-lint", cfn_lint(template)), ("cdk-nag (SAM expanded)", nag_expanded(template))):
            print(f"{label}: {len(findings)} finding(s) in {path}")
            for finding in findings:
                print(f"  {finding}")
            failed = failed or bool(findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
