"""Layer 05: the folders of src/ are layers, and the build enforces them. An #include of a higher
layer (or of a folder the table does not list) fails the build before anything compiles; the
table itself cannot hold a cycle."""

import re
import shutil
import subprocess

import pytest

from conftest import REPO

CHECK = REPO / "cmake" / "check_layers.cmake"


def layers():
    """src/layers.txt as {folder: [direct deps]}, in table order."""
    table = {}
    for line in (REPO / "src" / "layers.txt").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        folder, deps = line.split(":", 1)
        table[folder.strip()] = deps.split()
    return table


def reach(table, folder):
    out = {folder}
    for dep in table[folder]:
        out |= reach(table, dep)
    return out


def check(src):
    return subprocess.run(["cmake", f"-DSRC={src}", "-P", str(CHECK)], capture_output=True,
                          text=True, timeout=60)


def copy_tree(tmp_path):
    """The parts of the repository a configure needs: CMakeLists.txt, cmake/ and src/."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "CMakeLists.txt", root)
    shutil.copytree(REPO / "cmake", root / "cmake")
    shutil.copytree(REPO / "src", root / "src")
    return root


def test_every_folder_is_a_layer_and_the_tree_is_clean():
    table = layers()
    folders = {p.name for p in (REPO / "src").iterdir() if p.is_dir()}
    # Each protocol is a layer of its own under protocols/.
    folders |= {f"protocols/{p.name}" for p in (REPO / "src" / "protocols").iterdir() if p.is_dir()}
    assert folders == set(table), folders ^ set(table)
    r = check(REPO / "src")
    assert r.returncode == 0, r.stderr


def test_the_table_is_ordered_bottom_to_top():
    table = layers()
    seen = []
    for folder, deps in table.items():
        assert all(d in seen for d in deps), (folder, deps, seen)
        seen.append(folder)
    # Nothing below the WireMock format reaches it, and the core knows no other layer.
    for low in ("core", "log", "template", "match", "state", "journal", "net", "http"):
        assert "wiremock" not in reach(table, low), low
        assert "engine" not in reach(table, low), low
    # The engine knows no protocol: they plug in above it.
    assert not any(f.startswith("protocols") for f in reach(table, "engine"))
    assert reach(table, "core") == {"core"}
    assert reach(table, "cli") == set(table)


def test_the_build_refuses_an_upward_include(tmp_path):
    root = copy_tree(tmp_path)
    clock = root / "src" / "core" / "clock.cpp"
    clock.write_text(clock.read_text() + '#include "engine/mock_engine.h"\n')
    build = tmp_path / "b"
    r = subprocess.run(["cmake", "-S", str(root), "-B", str(build), "-G", "Ninja",
                        "-DMOCKD_BUILD_TESTS=OFF"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(["cmake", "--build", str(build), "--target", "mockd_core"],
                       capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert re.search(r'src/core/clock\.cpp: #include "engine/mock_engine\.h": layer core may not\s+'
                     r'include engine', out), out
    assert "Building CXX" not in out, out  # refused before anything compiled

    clock.write_text(clock.read_text().replace('#include "engine/mock_engine.h"\n', ""))
    r = subprocess.run(["cmake", "--build", str(build), "--target", "mockd_layer_check"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("core:\n", "core: cli\n", 1), "core builds on cli, which is not a layer"),
    (lambda t: t + "nowhere: core\n", None),
    (lambda t: t.replace("\nstore: core\n", "\n"), "admin builds on store, which is not a layer"),
])
def test_a_broken_table_is_refused(tmp_path, edit, message):
    src = copy_tree(tmp_path) / "src"
    table = src / "layers.txt"
    table.write_text(edit(table.read_text()))
    r = check(src)
    if message is None:  # a layer with no folder is harmless: nothing to build
        assert r.returncode == 0, r.stderr
        return
    assert r.returncode != 0
    assert message in " ".join(r.stderr.split()), r.stderr


def test_a_folder_outside_the_table_is_refused(tmp_path):
    src = copy_tree(tmp_path) / "src"
    (src / "stray").mkdir()
    (src / "stray" / "stray.cpp").write_text('#include "core/clock.h"\n')
    r = check(src)
    assert r.returncode != 0
    assert "src/stray/stray.cpp: folder stray is not a layer" in " ".join(r.stderr.split()), r.stderr


def test_a_sideways_include_is_refused(tmp_path):
    """state and journal are siblings: neither may include the other."""
    src = copy_tree(tmp_path) / "src"
    table = src / "state" / "table.cpp"
    table.write_text('#include "journal/journal.h"\n' + table.read_text())
    r = check(src)
    assert r.returncode != 0
    assert "layer state may not include journal" in " ".join(r.stderr.split()), r.stderr


def test_a_protocol_may_not_include_another(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO / "src", src)
    (src / "protocols" / "stray").mkdir()
    (src / "protocols" / "stray" / "stray.h").write_text("#pragma once\n")
    seam = src / "protocols" / "http" / "http_protocol.cpp"
    seam.write_text(seam.read_text() + '#include "protocols/stray/stray.h"\n')
    r = check(src)
    assert r.returncode != 0
    err = " ".join(r.stderr.split())
    # A protocol folder that is not in the table is refused, and so is reaching into it.
    assert "src/protocols/stray/stray.h: folder protocols/stray is not a layer" in err, r.stderr
    assert "layer protocols/http may not include protocols/stray" in err, r.stderr

