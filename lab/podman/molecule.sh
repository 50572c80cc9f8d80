#!/usr/bin/env bash
# Run molecule against the lab image:  lab/podman/molecule.sh test -s serveurs
# - builds the Debian 12 systemd image if missing or outdated (build-image.sh);
# - points podman at the project's containers.conf (CONTAINERS_CONF), never /etc;
# - generates throwaway secrets for the lab containers when none are set (they live
#   only in this process's environment and in the ephemeral containers).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${HERE}/../.." && pwd)"
export CONTAINERS_CONF="${HERE}/containers.conf"
AMICO_LAB_IMAGE="$("${HERE}/build-image.sh" | tail -n 1)"
export AMICO_LAB_IMAGE
# Throwaway lab secrets, generated once per machine, kept outside the repository (0600) so
# that successive molecule commands (converge, then verify...) agree with each other.
SECRETS="${XDG_CACHE_HOME:-${HOME}/.cache}/amico-lab/secrets.env"
if [[ ! -f ${SECRETS} ]]; then
    mkdir -p -m 0700 "$(dirname "${SECRETS}")"
    (umask 077 && python3 -c 'import secrets
for v in ("AMICO_SAMBA_ADMIN_PASSWORD", "AMICO_RESTIC_PASSWORD"):
    print(f"{v}=Lab-{secrets.token_urlsafe(12)}-9a")' >"${SECRETS}")
fi
while IFS='=' read -r name value; do
    [[ -n ${!name:-} ]] || export "${name}=${value}"
done <"${SECRETS}"
export ANSIBLE_ROLES_PATH="${ROOT}/roles"
# The venv of the project (molecule calls ansible-config, ansible-playbook... by name).
[[ -d "${ROOT}/.venv/bin" ]] && export PATH="${ROOT}/.venv/bin:${PATH}"
MOLECULE="${MOLECULE:-molecule}"
cd "${ROOT}"
exec "${MOLECULE}" "$@"
