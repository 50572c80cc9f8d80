#!/usr/bin/env bash
# Build (once) the Debian 12 systemd image used by the molecule scenarios.
#
#   lab/podman/build-image.sh              install the tools if missing, build if needed,
#                                          print the image reference on the last line
#   lab/podman/build-image.sh --print-ref  only print the reference the recipe gives
#   lab/podman/build-image.sh --force      rebuild even if the image is present
#
# The image is `localhost/amico-debian12-systemd:<hash>`, where <hash> is a hash of
# the recipe (this script and packages.txt): a present image is reused; a changed
# recipe gives a new tag, hence a rebuild. No image is pulled (no registry is
# reachable): the root filesystem comes from debootstrap, from the Debian mirror
# the machine's own apt sources name.
#
# The host's container configuration is never edited: podman reads the
# project's lab/podman/containers.conf through CONTAINERS_CONF.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="localhost/amico-debian12-systemd"
SUITE="bookworm"
export CONTAINERS_CONF="${HERE}/containers.conf"

recipe_hash() {
    cat "${HERE}/build-image.sh" "${HERE}/packages.txt" | sha256sum | cut -c1-12
}
REF="${NAME}:$(recipe_hash)"

log() { echo "[lab-image] $*" >&2; }

case "${1:-}" in
    --print-ref) echo "${REF}"; exit 0 ;;
    --force) FORCE=1 ;;
    "") FORCE=0 ;;
    *) echo "usage: $0 [--print-ref|--force]" >&2; exit 2 ;;
esac

# --- 1. host tools -----------------------------------------------------------
need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v newuidmap >/dev/null || need+=(uidmap)
command -v slirp4netns >/dev/null || need+=(slirp4netns)
command -v fuse-overlayfs >/dev/null || need+=(fuse-overlayfs)
if ((${#need[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "Paquets manquants : ${need[*]} ; installez-les (apt-get install) en root." >&2
        exit 1
    fi
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# --- 2. reuse -------------------------------------------------------------------
if [[ ${FORCE} -eq 0 ]] && podman image exists "${REF}"; then
    log "image ${REF} present, reused"
    echo "${REF}"
    exit 0
fi

# --- 3. mirrors from the machine's apt sources --------------------------------------
# Prints "<debian mirror> <security mirror>" (security may be empty).
read -r MIRROR SECURITY < <(python3 - "${SUITE}" <<'PY'
import glob, sys
suite = sys.argv[1]
main, sec = "", ""
def consider(uri, suites):
    global main, sec
    uri = uri.rstrip("/")
    if not uri.startswith(("http://", "https://")):
        return
    if suite in suites and not main:
        main = uri
    if f"{suite}-security" in suites and not sec:
        sec = uri
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = [w for w in words[1:] if not w.startswith("[")]
        if len(words) >= 2:
            consider(words[0], [words[1]])
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    text = open(path, encoding="utf-8").read()
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.split()
        if "deb" not in fields.get("types", []) or fields.get("enabled", ["yes"])[0] == "no":
            continue
        for uri in fields.get("uris", []):
            consider(uri, fields.get("suites", []))
print(main or "-", sec or "-")
PY
)
if [[ ${MIRROR} == "-" ]]; then
    echo "Aucun miroir Debian ${SUITE} trouvé dans /etc/apt/sources.list*." >&2
    exit 1
fi
[[ ${SECURITY} == "-" ]] && SECURITY=""
log "mirror ${MIRROR} security ${SECURITY:-none}"

# --- 4. build ---------------------------------------------------------------------
WORK="$(mktemp -d /var/tmp/amico-lab-image.XXXXXX)"
BASE="${NAME}-base:$(recipe_hash)"
BUILDER="amico-lab-image-build-$$"
cleanup() {
    podman rm -f "${BUILDER}" >/dev/null 2>&1 || true
    podman rmi -f "${BASE}" >/dev/null 2>&1 || true
    rm -rf "${WORK}"
}
trap cleanup EXIT

start=$(date +%s)
log "debootstrap ${SUITE} into ${WORK}/rootfs"
debootstrap --variant=minbase \
    --include=python3,systemd,systemd-sysv,dbus,iproute2,sudo,ca-certificates \
    "${SUITE}" "${WORK}/rootfs" "${MIRROR}" >"${WORK}/debootstrap.log" 2>&1 || {
    tail -n 30 "${WORK}/debootstrap.log" >&2
    exit 1
}

# apt sources of the image: the same mirrors as the host.
{
    echo "deb ${MIRROR} ${SUITE} main"
    echo "deb ${MIRROR} ${SUITE}-updates main"
    [[ -n ${SECURITY} ]] && echo "deb ${SECURITY} ${SUITE}-security main"
} >"${WORK}/rootfs/etc/apt/sources.list"
# Servers install without recommends (the roles do the same).
printf 'APT::Install-Recommends "false";\n' >"${WORK}/rootfs/etc/apt/apt.conf.d/90amico-no-recommends"
# A container has no consoles nor udev: do not wait for them.
for unit in getty.target console-getty.service systemd-udevd.service systemd-udev-trigger.service \
    systemd-remount-fs.service sys-kernel-debug.mount; do
    ln -sf /dev/null "${WORK}/rootfs/etc/systemd/system/${unit}"
done
rm -f "${WORK}/rootfs/etc/machine-id" && : >"${WORK}/rootfs/etc/machine-id"

log "import base image"
tar -C "${WORK}/rootfs" -c . | podman import --change 'CMD ["/lib/systemd/systemd"]' - "${BASE}" >/dev/null

mapfile -t PACKAGES < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${HERE}/packages.txt")
log "install ${#PACKAGES[@]} packages into the image"
podman run --name "${BUILDER}" --env DEBIAN_FRONTEND=noninteractive "${BASE}" \
    /bin/sh -ec 'apt-get update -qq
        apt-get install -y -qq "$@" >/dev/null
        apt-get clean
        # packages started nothing (no systemd running): leave their state fresh
        rm -f /etc/samba/smb.conf' sh "${PACKAGES[@]}" >&2
podman commit --quiet \
    --change 'CMD ["/lib/systemd/systemd"]' \
    --change 'ENV container=podman' \
    --change 'STOPSIGNAL SIGRTMIN+3' \
    "${BUILDER}" "${REF}" >/dev/null

# Older builds of the lab image are no longer referenced by the recipe.
podman images --format '{{.Repository}}:{{.Tag}}' | grep "^${NAME}:" | grep -vx "${REF}" |
    xargs -r podman rmi -f >/dev/null 2>&1 || true

log "built ${REF} in $(($(date +%s) - start)) s"
echo "${REF}"
