"""Build and synthesise one force's stack with the cdk-nag AWS Solutions checks attached."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from .force_config import CONFIG_DIR, load_force_config
from .stacks.safe_connection import LAMBDA_RUNTIME, SafeConnectionStack


def require_lambda_python(version_info: Sequence[int] | None = None) -> None:
    """Refuse to package under another Python than the functions' runtime.

    Chalice downloads the Lambda's wheels for the interpreter that runs it (compiled ones such as
    pydantic-core and cryptography are built per Python version), so a package built under 3.12
    would not import on python3.11 even though the template says python3.11."""
    wanted = LAMBDA_RUNTIME.removeprefix("python")
    running = ".".join(str(part) for part in (version_info or sys.version_info)[:2])
    if running != wanted:
        raise RuntimeError(
            f"synth must run under Python {wanted} (the functions' runtime is {LAMBDA_RUNTIME}), "
            f"not Python {running}: recreate the virtualenv with python{wanted} "
            f"(make clean; make install PYTHON=python{wanted})"
        )


def build_app(force: str, stage: str, outdir: Path, *, bundle_dependencies: bool = True,
              config_dir: Path = CONFIG_DIR) -> tuple[App, SafeConnectionStack]:
    """The CDK app for one force (not yet synthesised); config_dir for tests' own configurations."""
    require_lambda_python()
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    # Chalice reads the region while packaging; the stack's own region is what is deployed.
    config = load_force_config(force, stage, config_dir=config_dir)
    os.environ.setdefault("AWS_DEFAULT_REGION", config.region)
    outdir = Path(outdir).resolve()
    # Access logs are delivered under a bucket policy (no ACLs, objects owned by the bucket owner).
    app = App(outdir=str(outdir), context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})
    stack = SafeConnectionStack(
        app, config, build_dir=outdir / "build" / config.stack_name, bundle_dependencies=bundle_dependencies
    )
    # The acknowledgements (with reasons) are also written into the template, for auditors and for
    # the check of the SAM-expanded template (infra/checks.py).
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    return app, stack


def synthesise(force: str, stage: str, outdir: Path, *, bundle_dependencies: bool = True,
               config_dir: Path = CONFIG_DIR) -> Path:
    """Synthesise into outdir; returns the template path. Raises if cdk-nag reports an error."""
    app, stack = build_app(force, stage, outdir, bundle_dependencies=bundle_dependencies, config_dir=config_dir)
    assembly = app.synth()
    return Path(assembly.get_stack_by_name(stack.stack_name).template_full_path)
