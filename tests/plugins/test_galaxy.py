"""galaxy.yml declares every collection the roles and playbooks use, in version ranges the
installed `ansible` package satisfies (what an execution environment would install), and
nothing it does not use."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements

ROOT = Path(__file__).resolve().parents[2]
OWN = {"ansible.builtin", "ansible.legacy", "amico.colleges"}
_NAME = r"[a-z][a-z0-9_]*"
FQCN = re.compile(rf"^({_NAME}\.{_NAME})\.{_NAME}(?:\.{_NAME})*$")
_REF = rf"({_NAME}\.{_NAME})\.{_NAME}"
# FQCNs inside Jinja: filters, tests, lookups, and filters/tests named in map/select/...
JINJA = [
    re.compile(rf"\|\s*{_REF}"),
    re.compile(rf"\bis\s+(?:not\s+)?{_REF}"),
    re.compile(rf"\b(?:lookup|query|q)\(\s*['\"]{_REF}"),
    re.compile(rf"\b(?:map|select|reject|selectattr|rejectattr)\([^)]*?['\"]{_REF}['\"]"),
]
# Keys whose value names a role or collection (role references, `collections:` keyword).
ROLE_KEYS = {"role", "roles", "collections", "dependencies"}


class _Loader(yaml.SafeLoader):
    """Ansible YAML: `!vault` and `!unsafe` values are plain strings here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node))


def _strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


def _role_refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ROLE_KEYS:
                for item in v if isinstance(v, list) else [v]:
                    ref = item.get("role") or item.get("name") if isinstance(item, dict) else item
                    if isinstance(ref, str):
                        yield ref
            include = k in ("ansible.builtin.include_role", "ansible.builtin.import_role")
            if include and isinstance(v, dict) and isinstance(v.get("name"), str):
                yield v["name"]
            yield from _role_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _role_refs(v)


def _task_keys(node):
    """Keys of the task-shaped dicts (mappings in lists): the module or action names."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict):
                yield from item
            yield from _task_keys(item)
    elif isinstance(node, dict):
        for v in node.values():
            yield from _task_keys(v)


def collections_used(text: str, data, tasks: bool) -> set[str]:
    found = set()
    for s in [text]:
        for rx in JINJA:
            found |= set(rx.findall(s))
    for ref in _role_refs(data):
        m = FQCN.match(ref)
        if m:
            found.add(m.group(1))
    if tasks:
        for key in _task_keys(data):
            m = FQCN.match(str(key))
            if m:
                found.add(m.group(1))
    return found


def _is_task_file(path: Path) -> bool:
    rel = path.relative_to(ROOT).parts
    return rel[0] == "playbooks" or (len(rel) > 2 and rel[2] in ("tasks", "handlers"))


def used_by_the_project() -> dict[str, set[str]]:
    """collection -> files that use it, for roles/ and playbooks/."""
    out: dict[str, set[str]] = {}
    for base in ("roles", "playbooks"):
        for path in sorted((ROOT / base).rglob("*")):
            if path.suffix not in (".yml", ".yaml", ".j2") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            data = yaml.load(text, Loader=_Loader) if path.suffix != ".j2" else None
            for coll in collections_used(text, data, _is_task_file(path)):
                out.setdefault(coll, set()).add(str(path.relative_to(ROOT)))
    return out


def declared() -> dict[str, str]:
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    return dict(galaxy.get("dependencies") or {})


def test_the_scanner_finds_every_way_a_collection_is_named():
    text = """
- name: t
  community.windows.win_scheduled_task: {name: x}
- name: u
  ansible.builtin.set_fact:
    a: "{{ x | ansible.utils.ipaddr('address') }}"
    b: "{{ y is ns1.coll1.truthy }}"
    c: "{{ lookup('ns2.coll2.passwordstore', 'k') }}"
    d: "{{ z | map('community.general.dict_kv', 'name') | list }}"
    e: "{{ w | selectattr('k', 'ns3.coll3.match', 'v') }}"
    ip: 10.64.0.1
    fichier: zabbix.conf.d
- name: v
  ansible.builtin.include_role:
    name: ns4.coll4.role
"""
    got = collections_used(text, yaml.load(text, Loader=_Loader), tasks=True)
    assert got == {
        "community.windows", "ansible.builtin", "ansible.utils", "ns1.coll1", "ns2.coll2",
        "community.general", "ns3.coll3", "ns4.coll4",
    }  # fmt: skip


def test_every_collection_used_is_declared_in_galaxy_yml():
    used = used_by_the_project()
    missing = {c: sorted(f) for c, f in used.items() if c not in OWN and c not in declared()}
    assert not missing, f"collections utilisées mais absentes de galaxy.yml : {missing}"


def test_galaxy_yml_declares_nothing_unused():
    unused = set(declared()) - set(used_by_the_project())
    assert not unused, f"dépendances déclarées mais inutilisées : {sorted(unused)}"


def _installed_version(collection: str) -> str | None:
    ns, name = collection.split(".")
    for base in map(Path, sys.path):
        manifest = base / "ansible_collections" / ns / name / "MANIFEST.json"
        if manifest.is_file():
            return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]
    return None


@pytest.mark.parametrize("collection", sorted(declared()))
def test_the_installed_ansible_package_satisfies_each_range(collection):
    version = _installed_version(collection)
    assert version, f"{collection} absent de l'environnement (paquet ansible)"
    assert meets_requirements(version, declared()[collection]), (version, declared()[collection])


def test_the_project_requirements_install_every_dependency():
    """AWX installs collections/requirements.yml on project sync and the execution
    environment builds from it: each galaxy.yml dependency is there, pinned in range."""
    data = yaml.safe_load((ROOT / "collections/requirements.yml").read_text(encoding="utf-8"))
    pinned = {c["name"]: str(c["version"]) for c in data["collections"]}
    for collection, wanted in declared().items():
        assert collection in pinned, f"{collection} absent de collections/requirements.yml"
        assert meets_requirements(pinned[collection], wanted), (collection, pinned[collection])
