"""YAML that hurts the loader (issue 13.3): alias bombs, recursive aliases, duplicate keys,
deep nesting. Each is refused with the file and the line, exit code 2, in bounded time and
memory; nothing is built from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amico.cli import main
from amico.referentiel import yamlio

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


def first_site(ref: Path) -> Path:
    return sorted((ref / "sites").glob("*.yml"))[0]


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


# "billion laughs": 9 levels of 9 aliases each, 9**9 (387 million) leaves once expanded
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def test_alias_bomb_is_refused_in_bounded_time_and_memory(ref, tmp_path):
    """Measured in a child process: exit 2, file:line, well under the issue's bounds.

    Before the fix the same file ran 120 s at 9 GB; the bounds below are generous on
    purpose (shared CI machine), the measured figures are printed for the note. Time is
    the child's CPU time: on a loaded machine its wall-clock time only measures the
    wait for a core."""
    site = first_site(ref)
    site.write_text(site.read_text("utf-8") + "\nbombe:\n" + textwrap.indent(BOMB, "  "), "utf-8")
    probe = textwrap.dedent(
        f"""
        import json, resource, subprocess, sys, time

        def cap():
            # a regression fails fast (MemoryError) instead of eating the shared machine
            resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

        start = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "amico.cli", "referentiel", "verifier", {str(ref)!r}],
                capture_output=True, text=True, timeout=600, preexec_fn=cap,
            )
            code, err = proc.returncode, proc.stderr
        except subprocess.TimeoutExpired:
            code, err = "timeout", ""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({{"code": code, "err": err, "seconds": time.monotonic() - start,
                          "cpu": usage.ru_utime + usage.ru_stime,
                          "rss_mb": usage.ru_maxrss / 1024}}))
        """
    )
    env = dict(os.environ, AMICO_STATE_DIR=str(tmp_path / "etat"))
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    print(
        f"bombe d'alias : {result['cpu']:.2f} s de processeur ({result['seconds']:.2f} s "
        f"écoulées), {result['rss_mb']:.0f} Mo"
    )
    assert result["code"] == 2, result
    assert "YAML refusé" in result["err"] and "alias" in result["err"], result["err"]
    lines = site.read_text("utf-8").splitlines()
    line = int(result["err"].split(f"{site.name}:")[1].split(":")[0])
    assert "&" in lines[line - 1]  # the anchor that blows up
    assert "Aucun hôte n'a été modifié" in result["err"]
    assert result["cpu"] < 30
    assert result["rss_mb"] < 300


def test_recursive_alias_is_refused_with_its_line(ref, capsys):
    site = first_site(ref)
    text = site.read_text("utf-8") + "boucle: &r [*r]\n"
    site.write_text(text, "utf-8")
    code, output = check(ref, capsys)
    assert code == 2
    assert "Traceback" not in output and "RecursionError" not in output
    line = len(text.splitlines())
    assert f"{site.name}:{line}: erreur:" in output, output
    assert "alias récursif" in output


def test_duplicate_key_is_refused_not_last_wins(ref, capsys):
    """`vlan: 130` then `vlan: 200` must not silently put the port on VLAN 200."""
    site = first_site(ref)
    lines = site.read_text("utf-8").splitlines()
    at = next(i for i, t in enumerate(lines) if t.strip().startswith("vlan: ") and "-" not in t)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}vlan: 200")
    site.write_text("\n".join(lines) + "\n", "utf-8")
    code, output = check(ref, capsys)
    assert code == 2
    assert f"{site.name}:{at + 2}: erreur:" in output, output
    assert "clé « vlan » en double" in output
    assert f"ligne {at + 1}" in output


def test_deep_nesting_is_refused_not_a_recursion_error():
    text = "a: " + "[" * 900 + "]" * 900 + "\n"
    with pytest.raises(yamlio.YamlRefuse) as exc:
        yamlio.parse(text)
    assert "imbrication" in exc.value.problem
    assert exc.value.problem_mark.line == 0


def test_modest_aliases_still_load():
    """The shipped sites share a trunk's VLAN list through an anchor: still accepted."""
    data = yamlio.parse("p1: &v [10, 20]\np2: *v\np3: {vlans: *v}\n")
    assert data == {"p1": [10, 20], "p2": [10, 20], "p3": {"vlans": [10, 20]}}


def test_alias_budget_counts_expansion_not_file_size():
    """A long list written out is fine; the same size reached through aliases is not."""
    written = "\n".join(f"- {i}" for i in range(yamlio.ALIAS_BUDGET * 2))
    assert len(yamlio.parse(written)) == yamlio.ALIAS_BUDGET * 2
    row = "[" + ", ".join(["0"] * 200) + "]"
    aliased = f"a: &a {row}\nb: [" + ", ".join(["*a"] * 100) + "]\n"
    with pytest.raises(yamlio.YamlRefuse) as exc:
        yamlio.parse(aliased)
    assert exc.value.problem_mark.line == 0  # the anchor


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 2\n"])
def test_complex_key_is_refused_not_a_type_error(text):
    with pytest.raises(yamlio.YamlRefuse) as exc:
        yamlio.parse(text)
    assert "clé complexe" in exc.value.problem
