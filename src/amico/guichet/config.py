"""GLPI configuration: where GLPI is, how to log in, how to route.

Secrets (tokens, passwords, OAuth2 client secret) come only from environment variables
(AWX injects its credentials that way) or from a vault-encrypted YAML file; never from
ansible.cfg, never logged, never written to tickets or to the spool.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

# Secret name -> environment variable.
SECRET_ENV = {
    "app_token": "AMICO_GLPI_APP_TOKEN",
    "user_token": "AMICO_GLPI_USER_TOKEN",
    "login": "AMICO_GLPI_LOGIN",
    "password": "AMICO_GLPI_PASSWORD",
    "client_id": "AMICO_GLPI_CLIENT_ID",
    "client_secret": "AMICO_GLPI_CLIENT_SECRET",
    # GLPI 11 native inventory authentication (inventory_auth: basic | oauth).
    "inventory_login": "AMICO_GLPI_INVENTORY_LOGIN",
    "inventory_password": "AMICO_GLPI_INVENTORY_PASSWORD",
    "inventory_client_id": "AMICO_GLPI_INVENTORY_CLIENT_ID",
    "inventory_client_secret": "AMICO_GLPI_INVENTORY_CLIENT_SECRET",
}
INVENTORY_AUTH = ("none", "basic", "oauth")
SECRETS = tuple(SECRET_ENV)


class ConfigError(ValueError):
    """Configuration error, message in French."""


@dataclass
class GlpiConfig:
    url: str = ""
    api: str = "v1"  # v1 (apirest.php) | v2 (api.php, GLPI 11)
    timeout: float = 10.0  # per request, seconds
    budget: float = 60.0  # whole delivery at the end of a run, seconds
    verify_tls: bool = True
    ca_file: str | None = None
    auth_in_query: bool = False  # force the query-string login (Authorization dropped)
    v2_prefix: str = "/api.php/v2"
    inventory_auth: str = "none"  # none | basic | oauth (client credentials, scope inventory)
    app_token: str | None = field(default=None, repr=False)
    user_token: str | None = field(default=None, repr=False)
    login: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)
    inventory_login: str | None = field(default=None, repr=False)
    inventory_password: str | None = field(default=None, repr=False)
    inventory_client_id: str | None = field(default=None, repr=False)
    inventory_client_secret: str | None = field(default=None, repr=False)

    def secret_values(self) -> list[str]:
        """Every secret in use (to scrub them from any text leaving the process)."""
        return [v for k in SECRETS if (v := getattr(self, k))]

    def scrub(self, text: str) -> str:
        for value in self.secret_values():
            if len(value) >= 4:
                text = text.replace(value, "***")
        return text


def load_vault_file(
    path: str | Path, vault_password: str | None = None, loader: Any = None, env: Any = None
) -> dict:
    """Read a YAML secrets file, ansible-vault encrypted or not.

    With `loader` (an Ansible DataLoader already holding the run's vault secrets, as in a
    callback) it decrypts with those; otherwise with `vault_password` or the file named
    by AMICO_VAULT_PASSWORD_FILE / ANSIBLE_VAULT_PASSWORD_FILE.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Fichier de secrets GLPI introuvable : {path}")
    if loader is not None:
        data = loader.load_from_file(str(path))
    else:
        raw = path.read_bytes()
        if raw.lstrip().startswith(b"$ANSIBLE_VAULT"):
            from ansible.constants import DEFAULT_VAULT_ID_MATCH
            from ansible.parsing.vault import VaultLib, VaultSecret

            if vault_password is None:
                env = os.environ if env is None else env
                pw_file = env.get("AMICO_VAULT_PASSWORD_FILE") or env.get(
                    "ANSIBLE_VAULT_PASSWORD_FILE"
                )
                if not pw_file:
                    raise ConfigError(
                        f"{path} est chiffré par ansible-vault : indiquez le mot de passe "
                        "(AMICO_VAULT_PASSWORD_FILE ou ANSIBLE_VAULT_PASSWORD_FILE)"
                    )
                vault_password = Path(pw_file).read_text().strip()
            vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(vault_password.encode()))])
            raw = vault.decrypt(raw)
        data = yaml.safe_load(raw) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} : un dictionnaire YAML est attendu")
    unknown = set(data) - set(SECRETS)
    if unknown:
        raise ConfigError(f"{path} : clés inconnues {sorted(unknown)} (attendu : {list(SECRETS)})")
    return {k: str(v) for k, v in data.items() if v is not None}


def load_config(
    settings: dict | None = None,
    env: dict | None = None,
    secrets_file: str | None = None,
    loader: Any = None,
) -> GlpiConfig:
    """Build the configuration: non-secret settings (ini/env/CLI) + secrets (env or vault).

    `settings` may hold url, api, timeout, budget, verify_tls, ca_file, auth_in_query,
    v2_prefix, inventory_auth; any secret found in `settings` is refused (they never
    come from ansible.cfg).
    """
    env = os.environ if env is None else env
    settings = {k: v for k, v in (settings or {}).items() if v is not None}
    leaked = set(settings) & set(SECRETS)
    if leaked:
        raise ConfigError(
            f"Secrets GLPI interdits dans la configuration : {sorted(leaked)} ; "
            "utilisez les variables d'environnement ou un fichier chiffré"
        )
    known = {f.name for f in fields(GlpiConfig)} - set(SECRETS)
    unknown = set(settings) - known
    if unknown:
        raise ConfigError(f"Réglages GLPI inconnus : {sorted(unknown)}")
    cfg = GlpiConfig(**settings)
    cfg.url = cfg.url or env.get("AMICO_GLPI_URL", "")
    cfg.api = str(cfg.api or "v1")
    cfg.timeout, cfg.budget = float(cfg.timeout), float(cfg.budget)
    secrets_file = secrets_file or env.get("AMICO_GLPI_SECRETS_FILE")
    from_file = load_vault_file(secrets_file, loader=loader, env=env) if secrets_file else {}
    for key, var in SECRET_ENV.items():
        value = env.get(var) or from_file.get(key)
        setattr(cfg, key, value or None)
    if not cfg.url:
        raise ConfigError("URL de GLPI absente (AMICO_GLPI_URL ou option url du callback)")
    if cfg.api not in ("v1", "v2"):
        raise ConfigError(f"api GLPI « {cfg.api} » inconnue (attendu : v1 ou v2)")
    cfg.inventory_auth = str(
        settings.get("inventory_auth") or env.get("AMICO_GLPI_INVENTORY_AUTH") or "none"
    )
    if cfg.inventory_auth not in INVENTORY_AUTH:
        raise ConfigError(
            f"inventory_auth GLPI « {cfg.inventory_auth} » inconnue "
            f"(attendu : {', '.join(INVENTORY_AUTH)})"
        )
    return cfg


def load_routing(path: str | Path) -> dict:
    """Routing configuration (YAML): site UAI -> GLPI entity id, actor -> GLPI group id.

    ```yaml
    phase: transitoire            # phase of the matrice des services
    entites: {"0670001X": 12}     # UAI -> entities_id
    entite_defaut: 0              # optional
    groupes: {cd: 3, externe: 4}  # actor id (matrix column) -> groups_id
    groupe_defaut: null           # optional: when no R actor has a group
    acteurs: {cd: "Collectivité"} # optional display names
    interventions: suivi          # suivi | ticket_resolu | aucune
    type: 1                       # 1 incident | 2 demande
    urgence: 3
    ```
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Configuration de routage GLPI introuvable : {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return check_routing(data, str(path))


def check_routing(data: dict, origin: str = "routage") -> dict:
    errors = []
    if not isinstance(data, dict):
        raise ConfigError(f"{origin} : un dictionnaire YAML est attendu")
    allowed = {
        "phase",
        "entites",
        "entite_defaut",
        "groupes",
        "groupe_defaut",
        "acteurs",
        "interventions",
        "type",
        "urgence",
        "categorie",
    }
    for key in set(data) - allowed:
        errors.append(f"clé inconnue « {key} » (attendu : {sorted(allowed)})")
    for key in ("entites", "groupes"):
        for k, v in (data.get(key) or {}).items():
            if not isinstance(v, int) or isinstance(v, bool):
                errors.append(f"{key}.{k} = {v!r} : un identifiant GLPI entier est attendu")
    if data.get("interventions", "suivi") not in ("suivi", "ticket_resolu", "aucune"):
        errors.append(
            f"interventions = {data.get('interventions')!r} : "
            "attendu suivi, ticket_resolu ou aucune"
        )
    if errors:
        raise ConfigError(f"{origin} : " + " ; ".join(errors))
    data = dict(data)
    data["entites"] = {str(k): v for k, v in (data.get("entites") or {}).items()}
    data.setdefault("groupes", {})
    data.setdefault("phase", "transitoire")
    data.setdefault("interventions", "suivi")
    return data
