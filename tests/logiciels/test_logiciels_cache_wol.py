import functools
import hashlib
import http.server
import socket
import threading
import time

import pytest

from amico.logiciels.cache import CacheError, manifeste, synchroniser
from amico.logiciels.cli import register
from amico.logiciels.wol import paquet_magique, reveiller


def _source(tmp_path, taille=300_000):
    src = tmp_path / "source"
    src.mkdir()
    data = bytes(range(256)) * (taille // 256)
    (src / "vlc-3.0.21-win64.exe").write_bytes(data)
    (src / "7z2408-x64.exe").write_bytes(b"7z" * 1000)
    cat = {
        "logiciels": [
            {
                "id": "vlc",
                "licence": "libre",
                "installation": {
                    "fichier": "vlc-3.0.21-win64.exe",
                    "sha256": hashlib.sha256(data).hexdigest(),
                },
            },
            {"id": "sept_zip", "installation": {"fichier": "7z2408-x64.exe", "sha256": None}},
        ]
    }
    return src, cat


def test_sync_empreinte_reprise_et_deja_present(tmp_path):
    src, cat = _source(tmp_path)
    dest = tmp_path / "partage"
    b = synchroniser(manifeste(cat), str(src), dest, limite_octets_par_fichier=100_000)
    assert "interrompu" in b.erreurs["vlc-3.0.21-win64.exe"]
    assert "aucune empreinte" in b.erreurs["7z2408-x64.exe"]
    assert (dest / ".partiel" / "vlc-3.0.21-win64.exe.part").stat().st_size == 100_000
    b = synchroniser(manifeste(cat), str(src), dest)
    assert b.repris == ["vlc-3.0.21-win64.exe"] and b.copies == ["vlc-3.0.21-win64.exe"]
    assert b.octets == 300_000 - 100_000 - (300_000 % 256)  # only the rest was transferred
    b = synchroniser(manifeste(cat), str(src), dest)
    assert b.deja_presents == ["vlc-3.0.21-win64.exe"] and b.octets == 0


def test_sync_empreinte_fausse_rejetee(tmp_path):
    src, cat = _source(tmp_path)
    cat["logiciels"][0]["installation"]["sha256"] = "0" * 64
    b = synchroniser(manifeste(cat)[:1], str(src), tmp_path / "partage")
    assert "différente" in b.erreurs["vlc-3.0.21-win64.exe"]
    assert not (tmp_path / "partage" / "vlc-3.0.21-win64.exe").exists()


def test_sync_http_boucle_locale_avec_limite_de_debit(tmp_path):
    src, cat = _source(tmp_path, taille=200_000)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(src))
    serveur = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=serveur.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{serveur.server_address[1]}"
        debut = time.monotonic()
        b = synchroniser(manifeste(cat)[:1], url, tmp_path / "partage", debit_max_octets=1_000_000)
        duree = time.monotonic() - debut
    finally:
        serveur.shutdown()
    assert b.copies == ["vlc-3.0.21-win64.exe"]
    assert duree >= 0.15  # 200 kB at 1 MB/s


def test_sync_refuse_un_depot_git(tmp_path):
    (tmp_path / "depot" / ".git").mkdir(parents=True)
    with pytest.raises(CacheError, match="dépôt git"):
        synchroniser([], "x", tmp_path / "depot" / "partage")


def test_paquet_magique_envoye_en_boucle_locale():
    p = paquet_magique("00:23:24:AA:BB:01")
    assert p == b"\xff" * 6 + bytes.fromhex("002324aabb01") * 16 and len(p) == 102
    with pytest.raises(ValueError):
        paquet_magique("00:23:24:aa:bb")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as recepteur:
        recepteur.bind(("127.0.0.1", 0))
        recepteur.settimeout(5)
        port = recepteur.getsockname()[1]
        assert reveiller(["00-23-24-aa-bb-01"], "127.0.0.1", port) == 1
        assert recepteur.recvfrom(200)[0] == p


def test_cli_logiciels(tmp_path, capsys):
    import argparse

    from amico_lab.postes.labo import catalogue_demo

    (tmp_path / "cat.yml").write_text(__import__("yaml").safe_dump(catalogue_demo()))
    fix = __import__("pathlib").Path(__file__).parent / "fixtures" / "collecte_p-s102-07.json"
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "logiciels",
            "evaluer",
            "--catalogue",
            str(tmp_path / "cat.yml"),
            "--collecte",
            str(fix),
            "--profil",
            "multimedia",
        ]
    )
    assert args.func(args) == 0
    sortie = capsys.readouterr().out
    assert (
        "flash_player" in sortie
        and "interdit" in sortie
        and "action prévue : desinstaller flash_player" in sortie
    )
