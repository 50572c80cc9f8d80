"""Load the référentiel directory: YAML parsing, schema check, then cross-checks.

`load()` returns a `Referentiel` or raises `ReferentielInvalide` carrying every finding
of the run (syntax, schema and cross-checks together), never only the first one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from amico.referentiel import yamlio
from amico.referentiel.findings import Finding, ReferentielInvalide
from amico.referentiel.model import (
    COURRIEL_PATTERN,
    INTERFACES_PATTERN,
    LINE_PATTERN,
    PORT_DESCRIPTION_MAX,
    PORT_DESCRIPTION_PATTERN,
    CatalogueLogiciels,
    CatalogueMateriels,
    Matrice,
    Organisation,
    Perimetre,
    PlanAdressage,
    Site,
)

# file (relative to the root) -> model; the sites are every sites/*.yml
FILES: dict[str, type[BaseModel]] = {
    "organisation.yml": Organisation,
    "plan_adressage.yml": PlanAdressage,
    "perimetre.yml": Perimetre,
    "matrice/services.yml": Matrice,
    "catalogue/logiciels.yml": CatalogueLogiciels,
    "catalogue/materiels.yml": CatalogueMateriels,
}


@dataclass
class Referentiel:
    root: Path
    organisation: Organisation
    plan: PlanAdressage
    perimetre: Perimetre
    matrice: Matrice
    logiciels: CatalogueLogiciels
    materiels: CatalogueMateriels
    sites: list[Site]
    site_paths: list[Path] = field(default_factory=list)  # aligned with `sites`
    warnings: list[Finding] = field(default_factory=list)


# pydantic error type -> (message, fix); `{ctx}` fields are filled from the error context
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("clé obligatoire absente", "ajouter cette clé (voir referentiel/README.md)"),
    "extra_forbidden": (
        "clé inconnue",
        "corriger l'orthographe de la clé ou la supprimer (clés admises : referentiel/README.md)",
    ),
    "string_type": ("une chaîne de caractères est attendue", "écrire la valeur entre guillemets"),
    "int_type": ("un nombre entier est attendu", "écrire un entier sans guillemets"),
    "int_parsing": ("un nombre entier est attendu", "écrire un entier sans guillemets"),
    "int_from_float": ("un nombre entier est attendu", "écrire un entier sans décimale"),
    "bool_type": ("un booléen est attendu", "écrire true ou false"),
    "bool_parsing": ("un booléen est attendu", "écrire true ou false"),
    "list_type": ("une liste est attendue", "écrire une liste YAML (- élément ou [a, b])"),
    "dict_type": ("un dictionnaire est attendu", "écrire des paires clé: valeur"),
    "model_type": ("un dictionnaire est attendu", "écrire des paires clé: valeur"),
    "model_attributes_type": ("un dictionnaire est attendu", "écrire des paires clé: valeur"),
    "tuple_type": ("une paire [premier, dernier] est attendue", "écrire [début, fin]"),
    "too_short": ("trop peu d'éléments", "écrire exactement [début, fin]"),
    "too_long": ("trop d'éléments", "écrire exactement [début, fin]"),
    "literal_error": ("valeur non admise", "choisir parmi : {expected}"),
    "string_pattern_mismatch": ("format invalide", "respecter le format {hint}"),
    "string_too_long": ("valeur trop longue", "raccourcir à {max_length} caractères au plus"),
    "string_unicode": ("texte Unicode invalide", "enregistrer le fichier en UTF-8 valide"),
    "greater_than_equal": ("valeur trop petite", "donner une valeur >= {ge}"),
    "less_than_equal": ("valeur trop grande", "donner une valeur <= {le}"),
    "ip_v4_address": (
        "adresse IPv4 invalide",
        "écrire une adresse IPv4 pointée (ex. 10.64.0.10)",
    ),
    "ip_v4_network": (
        "réseau IPv4 invalide",
        "écrire un réseau aligné en notation CIDR (ex. 10.64.0.0/20), sans bits d'hôte",
    ),
    "date_type": ("une date est attendue", "écrire la date au format AAAA-MM-JJ"),
    "date_from_datetime_parsing": ("date invalide", "écrire la date au format AAAA-MM-JJ"),
    "date_parsing": ("date invalide", "écrire la date au format AAAA-MM-JJ"),
}

_PATTERN_HINTS = {
    r"^[0-9]{7}[A-Z]$": "UAI : 7 chiffres suivis de la lettre clé en majuscule (ex. 0670001X)",
    r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$": "MAC : six octets hexadécimaux minuscules séparés par « : »",
    r"^[a-z0-9_]+$": "identifiant : minuscules, chiffres et _",
    r"^[A-Za-z0-9_.]+$": "classe : lettres, chiffres, _ et .",
    LINE_PATTERN: "texte sur une seule ligne, sans caractère de contrôle (saut de ligne, "
    "tabulation, caractère invisible)",
    PORT_DESCRIPTION_PATTERN: 'description de port : une ligne sans guillemet ", « ? », '
    "« \\ », caractère de contrôle ni espace au début ou à la fin "
    f"({PORT_DESCRIPTION_MAX['aruba']} caractères au plus sur ArubaOS-Switch, "
    f"{PORT_DESCRIPTION_MAX['cisco']} sur Cisco IOS)",
    INTERFACES_PATTERN: "liste d'interfaces : noms faits de lettres, chiffres et « / », "
    "plages « début-fin » séparées par des virgules (ex. 1-20,24 ou A1-A4 ou Gi1/0/1-24)",
    COURRIEL_PATTERN: "adresse électronique (ex. prenom.nom@ac-strasbourg.fr)",
    r"^[0-9]{2,3}$": "code de territoire : 2 ou 3 chiffres (ex. 67)",
    r"^\+?[0-9 .()-]{4,30}$": "téléphone : chiffres, espaces, points, tirets (ex. 03 88 00 00 00)",
}


def _pydantic_findings(path: Path, exc: ValidationError) -> list[Finding]:
    out = []
    for err in exc.errors():
        kind = err["type"]
        loc = tuple(err["loc"])
        ctx = err.get("ctx") or {}
        message, fix = _MESSAGES.get(kind, (f"valeur invalide ({err['msg']})", "voir le schéma"))
        if kind == "string_pattern_mismatch":
            pattern = ctx.get("pattern", "")
            hint = _PATTERN_HINTS.get(pattern, "")
            if not hint and "a-z0-9" in pattern:
                hint = "nom d'hôte : minuscules, chiffres et tirets (63 caractères au plus)"
            ctx = {"hint": hint or pattern}
        if kind == "extra_forbidden":
            value, loc_value = loc[-1], loc
        else:
            value, loc_value = err.get("input"), loc
        if isinstance(value, dict | list):
            value = None
        with contextlib.suppress(KeyError, IndexError):
            fix = fix.format(**ctx)
        out.append(Finding(path, loc_value, message, fix, value))
    return out


def read_yaml(path: Path, findings: list[Finding]) -> Any:
    try:
        return yamlio.load_file(path)
    except FileNotFoundError:
        findings.append(
            Finding(path, (), "fichier absent", "créer ce fichier (voir referentiel/README.md)")
        )
        return None
    except UnicodeDecodeError as exc:
        findings.append(
            Finding(path, (), f"encodage invalide ({exc.reason})", "enregistrer en UTF-8")
        )
        return None
    except yamlio.YamlRefuse as exc:
        findings.append(
            Finding(
                path, (), f"YAML refusé : {exc.problem}", exc.fix, ligne=exc.problem_mark.line + 1
            )
        )
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        findings.append(
            Finding(
                path,
                (),
                f"syntaxe YAML invalide : {problem}",
                "corriger l'indentation, les deux-points ou les guillemets à cette ligne",
                ligne=mark.line + 1 if mark else None,
            )
        )
        return None


def _parse(path: Path, model: type[BaseModel], findings: list[Finding]) -> Any:
    data = read_yaml(path, findings)
    if data is None:
        if path.exists() and not findings:
            findings.append(Finding(path, (), "fichier vide", "remplir le fichier"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        findings.extend(_pydantic_findings(path, exc))
        return None


def _site_files(site_dir: Path, findings: list[Finding]) -> list[Path]:
    """Every `sites/*.yml`; a missing folder and a site under another extension (`.yaml`,
    `.YML`: it would be silently skipped) are errors, an empty folder a warning."""
    if not site_dir.is_dir():
        findings.append(
            Finding(
                site_dir,
                (),
                "dossier des sites absent : aucun collège ne serait traité",
                "créer le dossier sites/ avec un fichier <UAI>.yml par collège",
            )
        )
        return []
    paths, misnamed = [], False
    for path in sorted(site_dir.iterdir()):
        if path.suffix == ".yml":
            paths.append(path)
        elif path.suffix.lower() in (".yaml", ".yml"):
            misnamed = True
            findings.append(
                Finding(
                    path,
                    (),
                    f"extension « {path.suffix} » : ce fichier de site serait ignoré",
                    f"renommer en {path.stem}.yml (seuls les fichiers sites/*.yml sont lus)",
                    ligne=1,
                )
            )
    if not paths and not misnamed:
        # a warning, not an error: `amico referentiel nouveau-site` starts from there
        findings.append(
            Finding(
                site_dir,
                (),
                "aucun fichier de site (sites/*.yml) : aucun collège ne sera traité",
                "ajouter un fichier <UAI>.yml par collège (amico referentiel nouveau-site)",
                gravite="avertissement",
            )
        )
    return paths


def load(root: str | Path, strict: bool = True) -> Referentiel:
    """Load and check the référentiel at `root`; raise ReferentielInvalide on any error."""
    from amico.referentiel.validate import cross_check

    root = Path(root).resolve()
    if not root.is_dir():
        raise ReferentielInvalide(
            [Finding(root, (), "dossier du référentiel introuvable", "indiquer le bon chemin")],
            root,
        )
    findings: list[Finding] = []
    parts = {name: _parse(root / name, model, findings) for name, model in FILES.items()}
    sites: list[Site] = []
    site_paths: list[Path] = []
    site_dir = root / "sites"
    for path in _site_files(site_dir, findings):
        site = _parse(path, Site, findings)
        if site is not None:
            sites.append(site)
            site_paths.append(path)
    if any(value is None for value in parts.values()):
        raise ReferentielInvalide(findings, root)
    ref = Referentiel(
        root=root,
        organisation=parts["organisation.yml"],
        plan=parts["plan_adressage.yml"],
        perimetre=parts["perimetre.yml"],
        matrice=parts["matrice/services.yml"],
        logiciels=parts["catalogue/logiciels.yml"],
        materiels=parts["catalogue/materiels.yml"],
        sites=sites,
        site_paths=site_paths,
    )
    findings.extend(cross_check(ref))
    errors = [f for f in findings if f.gravite == "erreur"]
    ref.warnings = [f for f in findings if f.gravite != "erreur"]
    if errors and strict:
        raise ReferentielInvalide(findings, root)
    return ref
