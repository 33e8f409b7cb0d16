"""scripts/ee_image.py: what goes into the execution environment's build, without building it."""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import ee_image  # noqa: E402


def tarball(path: Path, requirements: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.parent / "src"
    source.mkdir(exist_ok=True)
    (source / "MANIFEST.json").write_text("{}")
    if requirements is not None:
        (source / "requirements.txt").write_text(requirements)
    with tarfile.open(path, "w:gz") as tar:
        for item in source.iterdir():
            tar.add(item, item.name)
    for item in source.iterdir():
        item.unlink()
    source.rmdir()


def test_the_definition_names_the_tarballs_the_script_writes_and_never_galaxy():
    spec = ee_image.definition()
    listed = yaml.safe_load((ee_image.DEFINITION_DIR / spec["dependencies"]["galaxy"]).read_text())["collections"]
    assert sorted(entry["name"] for entry in listed) == sorted(f"collections/{t}" for t in ee_image.TARBALLS.values())
    assert {entry["type"] for entry in listed} == {"file"}
    assert "--offline" in spec["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"].split()
    # the Python packages come from the collections' own meta/execution-environment.yml, not the definition
    assert "python" not in spec["dependencies"]


def test_the_collection_only_definition_lists_this_collection_alone_without_its_dependencies(tmp_path):
    tarballs = tmp_path / "tarballs"
    tarball(tarballs / ee_image.TARBALLS["librechat.bedrock"], "boto3>=1.38.43\n")
    stage = tmp_path / "collection-only"
    ee_image.collection_only(stage, tarballs)
    spec = yaml.safe_load((stage / "execution-environment.yml").read_text())
    assert spec["options"]["tags"] == [ee_image.COLLECTION_ONLY_TAG]
    assert spec["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"].split() == ["--offline", "--no-deps"]
    assert spec["images"] == ee_image.definition()["images"]
    listed = yaml.safe_load((stage / "requirements.yml").read_text())["collections"]
    assert listed == [{"name": f"collections/{ee_image.TARBALLS['librechat.bedrock']}", "type": "file"}]
    assert (stage / listed[0]["name"]).is_file()


def test_the_wheels_cover_ansible_builder_s_own_packages_and_each_collection_s_requirements(tmp_path):
    collections = tmp_path / "collections"
    tarball(collections / ee_image.TARBALLS["librechat.bedrock"], "# why\nboto3>=1.38.43\nPyYAML>=6.0  # comment\n")
    tarball(collections / ee_image.TARBALLS["amazon.aws"], "botocore>=1.34.0\n")
    wanted = ee_image.requirements(tmp_path)
    spec = ee_image.definition()["dependencies"]
    assert spec["ansible_core"]["package_pip"] in wanted
    assert spec["ansible_runner"]["package_pip"] in wanted
    assert set(ee_image.BUILDER_PACKAGES) <= set(wanted)
    assert {"boto3>=1.38.43", "PyYAML>=6.0", "botocore>=1.34.0"} <= set(wanted)
    assert not [line for line in wanted if line.startswith("#") or not line]
