"""YAML reading for the référentiel: libyaml parser, YAML 1.2-like scalars, parse cache.

Scalars follow the YAML 1.2 core schema, not PyYAML's 1.1 defaults: only true/false are
booleans (a "no" or "on" stays text), only decimal digits are integers, there are no
implicit floats or timestamps (so a MAC such as 12:34:56:12:34:56 is never read as a
base-60 number, and dates are parsed by the model). Fewer implicit rules also make
resolution, the bulk of PyYAML's time, cheaper.

Parsed files are cached (marshal, keyed by path, size and mtime) under the state
directory, so a second run over 17,000 posts skips YAML parsing entirely.

Hostile YAML is refused before anything is built, in time and memory linear in the file:
aliases are composed as shared nodes (libyaml never expands them), so the expanded size
of every node is computed once over that graph; an alias cycle, an expansion beyond
`ALIAS_BUDGET` nodes (the "billion laughs"), a nesting deeper than `MAX_DEPTH` and a
duplicate mapping key (PyYAML silently keeps the last one) each raise `YamlRefuse` with
the line of the offending node.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from pathlib import Path
from typing import Any

import yaml

from amico.state import state_dir

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CACHE_VERSION = 1
# Nodes that alias expansion may add beyond the file's own nodes: the shipped sites
# reuse a trunk's VLAN list a few times (tens of nodes); a 9-level bomb needs 9**9.
ALIAS_BUDGET = 10_000
MAX_DEPTH = 64


class YamlRefuse(yaml.MarkedYAMLError):
    """YAML that is well-formed but refused (alias bomb or cycle, duplicate key, depth)."""

    def __init__(self, problem: str, mark, fix: str):
        super().__init__(problem=problem, problem_mark=mark)
        self.fix = fix


class Loader(_Base):
    """Safe loader with the YAML 1.2 core implicit rules (null, true/false, decimal int)."""


Loader.yaml_implicit_resolvers = {}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)


def _cache_file(path: Path) -> Path:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    return state_dir("cache", "referentiel") / f"{digest}.marshal"


_STR, _INT, _NULL, _BOOL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "null", "bool"))


def _build(node: yaml.Node) -> Any:
    # A direct walk of the composed nodes: 1.7x faster than PyYAML's generic constructor
    # on the référentiel (measured on 148 sites / 17,000 posts), and only safe types.
    if node.__class__ is yaml.ScalarNode:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _INT:
            return int(node.value)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return node.value.lower() == "true"
        raise yaml.constructor.ConstructorError(
            None, None, f"étiquette YAML non prise en charge : {tag}", node.start_mark
        )
    if node.__class__ is yaml.MappingNode:
        return {_build(key): _build(value) for key, value in node.value}
    return [_build(item) for item in node.value]


def _audit(root: yaml.Node) -> None:
    """Refuse alias cycles, alias bombs, excessive depth and duplicate keys (YamlRefuse).

    Iterative post-order walk over the node graph, each distinct node expanded once:
    `size[id]` is the number of nodes the node stands for once aliases are expanded.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if node.__class__ is yaml.MappingNode:
                children = [n for pair in node.value for n in pair]
            else:
                children = node.value
            size[key] = 1 + sum(size[id(c)] for c in children)
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlRefuse(
                "alias récursif (une ancre qui se contient elle-même)",
                node.start_mark,
                "remplacer l'alias (*nom) par la valeur écrite en entier",
            )
        if node.__class__ is yaml.ScalarNode:
            size[key] = 1
            distinct += 1
            continue
        distinct += 1
        if len(on_path) >= MAX_DEPTH:
            raise YamlRefuse(
                f"imbrication de plus de {MAX_DEPTH} niveaux",
                node.start_mark,
                "aplatir la structure (le schéma du référentiel n'a que quelques niveaux)",
            )
        on_path.add(key)
        stack.append((node, True))
        if node.__class__ is yaml.MappingNode:
            seen: dict[object, yaml.Node] = {}
            for k, v in node.value:
                if k.__class__ is yaml.ScalarNode:
                    if k.value in seen:
                        first = seen[k.value].start_mark.line + 1
                        raise YamlRefuse(
                            f"clé « {k.value} » en double (déjà à la ligne {first}) : "
                            "seule la dernière valeur serait gardée",
                            k.start_mark,
                            "supprimer ou renommer l'une des deux clés",
                        )
                    seen[k.value] = k
                stack.append((v, False))
                stack.append((k, False))
        else:
            stack.extend((child, False) for child in reversed(node.value))
    if size[id(root)] - distinct > ALIAS_BUDGET:
        worst = _largest_shared(root, size)
        raise YamlRefuse(
            f"les alias (*nom) se développent en {size[id(root)]} éléments pour "
            f"{distinct} écrits (au plus {ALIAS_BUDGET} de plus admis)",
            worst.start_mark,
            "écrire les valeurs en entier au lieu d'alias imbriqués",
        )


def _largest_shared(root: yaml.Node, size: dict[int, int]) -> yaml.Node:
    """The biggest node reached more than once: the anchor that blows up."""
    refs: dict[int, int] = {}
    nodes: dict[int, yaml.Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        key = id(node)
        refs[key] = refs.get(key, 0) + 1
        if refs[key] > 1 or node.__class__ is yaml.ScalarNode:
            continue
        nodes[key] = node
        if node.__class__ is yaml.MappingNode:
            stack.extend(n for pair in node.value for n in pair)
        else:
            stack.extend(node.value)
    shared = [n for k, n in nodes.items() if refs[k] > 1]
    return max(shared, key=lambda n: size[id(n)]) if shared else root


class _Shared(Exception):
    """A collection node reached twice (an alias): the full audit decides."""


def _build_checked(node: yaml.Node, seen: set[int], depth: int) -> Any:
    # The fast path for alias-free files (all the référentiel's but a few trunk lists):
    # build while checking depth and duplicate keys; a node seen twice defers to _audit.
    if node.__class__ is yaml.ScalarNode:
        return _build(node)
    if depth > MAX_DEPTH:
        _audit(node)  # raises with the line of the node beyond MAX_DEPTH
    key = id(node)
    if key in seen:
        raise _Shared
    seen.add(key)
    depth += 1
    if node.__class__ is yaml.MappingNode:
        out = {
            _build_checked(k, seen, depth): _build_checked(v, seen, depth) for k, v in node.value
        }
        if len(out) != len(node.value):
            _audit(node)  # raises on the duplicate key, with its line
        return out
    return [_build_checked(item, seen, depth) for item in node.value]


def parse(text: str) -> Any:
    """Parse YAML text; yaml.YAMLError (YamlRefuse for refused constructs) when it fails."""
    node = yaml.compose(text, Loader=Loader)
    if node is None:
        return None
    try:
        return _build_checked(node, set(), 0)
    except _Shared:
        _audit(node)  # aliases: cycles and expansion budget over the whole graph
        return _build(node)


def load_file(path: Path, use_cache: bool = True) -> Any:
    """Parse a YAML file; FileNotFoundError, UnicodeDecodeError, yaml.YAMLError propagate."""
    st = path.stat()
    key = (CACHE_VERSION, str(path.resolve()), st.st_size, st.st_mtime_ns)
    try:
        cache = _cache_file(path) if use_cache else None
    except OSError:  # unusable state directory (read-only, full...): read without cache
        cache = None
    if cache is not None and cache.exists():
        try:
            with open(cache, "rb") as handle:
                stored_key, data = marshal.load(handle)
            if stored_key == key:
                return data
        except (OSError, EOFError, ValueError, TypeError):
            pass  # a damaged cache entry is rebuilt below
    data = parse(path.read_text(encoding="utf-8"))
    if cache is not None:
        try:
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                marshal.dump((key, data), handle)
            os.replace(tmp, cache)
        except (OSError, ValueError):
            pass  # unmarshallable data (a date...) or a read-only state dir: no cache
    return data
