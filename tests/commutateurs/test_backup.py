import stat

from amico.commutateurs.backup import BackupRepo

RUN = (
    "Building configuration...\n\nCurrent configuration : {n} bytes\n!\n"
    "! Last configuration change at {t} UTC Sun Nov 29 2026 by amico\nhostname sw1\n"
    "vlan 100\n name {name}\nntp clock-period {c}\nend\n"
)


def test_backup_is_a_git_repository_per_site_without_noise(state_dir):
    repo = BackupRepo("0670001X")
    assert repo.path == state_dir / "commutateurs" / "0670001X"
    first = repo.save("sw1", RUN.format(n=10, t="10:00:00", name="PEDA", c=1), "avant")
    assert first
    # only noise changed: no new commit
    assert repo.save("sw1", RUN.format(n=12, t="11:00:00", name="PEDA", c=7), "avant") is None
    second = repo.save("sw1", RUN.format(n=12, t="12:00:00", name="PEDAGOGIE", c=3), "après")
    assert second and second != first
    assert len(repo.history("sw1")) == 2
    text = repo.read("sw1")
    assert "PEDAGOGIE" in text and "Last configuration change" not in text
    mode = (repo.path / "sw1.cfg").stat().st_mode
    assert not mode & (stat.S_IRWXG | stat.S_IRWXO)
