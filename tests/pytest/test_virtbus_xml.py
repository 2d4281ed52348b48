# SPDX-License-Identifier: LGPL-2.1-or-later
"""tools/virtbus-xml: the XML models from the command line.

runs the built tool ($VB_BUILD_DIR/tools/virtbus-xml) on the seed documents, our
network corpus and broken input; checks exit codes (0 ok, 1 bad document, 2 usage),
that its output is a fixed point, and that nothing reaches stderr on success.
"""

import os
import re
import subprocess

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = os.path.join(TOP, "tests", "data", "seed")
NETWORKS = os.path.join(TOP, "tests", "data", "network")
MAX_SIZE = 10 * 1024 * 1024

# well-formed seed documents a model accepts
GOOD_SEEDS = [
    "001-01-domain.txt",
    "001-03-domain.txt",
    "001-04-domain.txt",
    "001-13-domain.txt",
    "002-17-domain.txt",
    "002-18-domain.txt",
    "002-19-domain.txt",
    "002-20-domain.txt",
    "003-21-domain.txt",
    "001-05-interface.txt",
    "001-10-interface.txt",
    "001-11-interface.txt",
    "001-12-interface.txt",
]
# not well-formed XML: the unclosed attribute, several roots, native configs
MALFORMED_SEEDS = [
    "001-06-interface.txt",
    "001-07-interface.txt",
    "001-08-interface.txt",
    "001-09-interface.txt",
    "002-15-native.txt",
    "002-16-native.txt",
]
# well-formed, but with the pages' "..." standing for what was left out
ELIDED_SEEDS = ["001-02-domain.txt", "001-14-capabilities.txt"]

SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:")


def tool():
    d = os.environ.get("VB_BUILD_DIR")
    if not d:
        pytest.fail("VB_BUILD_DIR is not set: point it at a meson build dir of virtbus "
                    "(e.g. VB_BUILD_DIR=$PWD/build)", pytrace=False)
    path = os.path.join(d, "tools", "virtbus-xml")
    if not os.access(path, os.X_OK):
        pytest.fail("virtbus-xml not found at %s: build it first" % path, pytrace=False)
    return path


def run(*args, stdin=None):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    p = subprocess.run([tool()] + list(args), input=stdin, capture_output=True, env=env,
                       timeout=120)
    out = p.stdout.decode()
    err = p.stderr.decode(errors="replace")
    assert not SANITIZER.search(err), "sanitizer report:\n" + err
    return p.returncode, out, err


def canonical(*args, stdin=None):
    rc, out, err = run(*args, stdin=stdin)
    assert rc == 0, "exit %d for %r: %s" % (rc, args, err)
    assert err == ""
    assert out.endswith("\n")
    return out


def without_uuid(text):
    return re.sub(r"<uuid>[0-9a-f-]+</uuid>", "<uuid/>", text)


def assert_fixed_point(out, *args):
    again = canonical(*(list(args) + ["-"]), stdin=out.encode())
    assert again == out


@pytest.mark.parametrize("name", GOOD_SEEDS)
def test_good_seed(name):
    out = canonical(os.path.join(SEED, name))
    root = "interface" if "interface" in name else "domain"
    assert out.startswith("<%s" % root)
    assert_fixed_point(out)
    # the same with the kind given (a document without <uuid> gets a new one each time)
    kind = "device" if root == "interface" else "domain"
    again = canonical("--kind=" + kind, os.path.join(SEED, name))
    assert without_uuid(again) == without_uuid(out)


@pytest.mark.parametrize("name", MALFORMED_SEEDS)
def test_malformed_seed(name):
    path = os.path.join(SEED, name)
    rc, out, err = run(path)
    assert rc == 1, err
    assert out == ""
    assert err.startswith("virtbus-xml: %s: " % path)
    assert "line" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("name", ELIDED_SEEDS)
def test_elided_seed(name):
    path = os.path.join(SEED, name)
    rc, out, err = run(path)
    assert rc == 1, err
    assert out == ""
    assert err.startswith("virtbus-xml: %s: XML error: " % path)


def test_capabilities_seed_says_where():
    path = os.path.join(SEED, "001-14-capabilities.txt")
    rc, _, err = run(path)
    assert rc == 1
    assert "unexpected text '...' at line 35" in err


def test_capabilities_seed_without_ellipsis():
    with open(os.path.join(SEED, "001-14-capabilities.txt")) as f:
        text = "".join(l for l in f if l.strip() != "...")
    out = canonical("-", stdin=text.encode())
    assert out.startswith("<capabilities>\n  <host>\n    <cpu>\n      <arch>x86_64</arch>\n")
    assert "<machine>isapc</machine>" in out
    assert_fixed_point(out)
    assert_fixed_point(out, "--kind=capabilities")


def test_default_network():
    path = os.path.join(NETWORKS, "default.xml")
    with open(path) as f:
        expected = f.read()
    assert canonical(path) == expected
    assert canonical("--kind=network", "--validate", path) == expected
    assert canonical("--inactive", path) == expected
    assert canonical(os.path.join(NETWORKS, "default.in.xml")) == expected
    assert_fixed_point(expected)


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(NETWORKS) if n.endswith(".xml")))
def test_network_corpus(name):
    out = canonical(os.path.join(NETWORKS, name))
    assert out.startswith("<network")
    assert_fixed_point(out)


def test_validate_domain():
    out = canonical("--validate", os.path.join(SEED, "001-13-domain.txt"))
    assert out == canonical(os.path.join(SEED, "001-13-domain.txt"))


def test_quiet():
    rc, out, err = run("--quiet", os.path.join(NETWORKS, "default.xml"))
    assert (rc, out, err) == (0, "", "")
    rc, out, err = run("-q", os.path.join(SEED, "001-06-interface.txt"))
    assert rc == 1 and out == "" and "line" in err


def test_wrong_kind():
    path = os.path.join(NETWORKS, "default.xml")
    rc, out, err = run("--kind=domain", path)
    assert rc == 1 and out == ""
    assert "expected root element 'domain', not 'network'" in err


def test_unknown_root():
    rc, out, err = run("-", stdin=b"<pool type='dir'><name>x</name></pool>")
    assert rc == 1 and out == ""
    assert err == "virtbus-xml: -: cannot tell the kind of a <pool> document; use --kind\n"


def test_empty_and_garbage():
    rc, _, err = run("-", stdin=b"")
    assert rc == 1 and "empty document" in err
    rc, _, err = run("-", stdin=b"name = 'x'\n")
    assert rc == 1 and "line 1" in err
    rc, _, err = run("-", stdin=b"<network>\0<name>x</name></network>")
    assert rc == 1 and "NUL byte" in err


def test_hostile():
    rc, _, err = run("-", stdin=b"<!DOCTYPE network [<!ENTITY a 'aaaaaaaa'>]>"
                                b"<network><name>&a;</name></network>")
    assert rc == 1 and "document type declarations are not allowed" in err
    rc, _, err = run("-", stdin=b"<network>" + b"<a>" * 10000)
    assert rc == 1 and "nested deeper than" in err


def test_huge_file(tmp_path):
    big = tmp_path / "big.xml"
    with open(big, "wb") as f:
        f.write(b"<network><name>big</name>")
        f.write(b" " * (MAX_SIZE + 4096))
        f.write(b"</network>\n")
    rc, out, err = run(str(big))
    assert rc == 1 and out == ""
    assert "larger than the limit of %d bytes" % MAX_SIZE in err
    # the same through a pipe
    rc, out, err = run("-", stdin=big.read_bytes())
    assert rc == 1 and "larger than the limit" in err


def test_file_errors(tmp_path):
    missing = str(tmp_path / "missing.xml")
    rc, out, err = run(missing)
    assert rc == 1 and out == ""
    assert err.startswith("virtbus-xml: %s: " % missing)
    assert "No such file" in err
    rc, _, err = run(str(tmp_path))
    assert rc == 1 and err.startswith("virtbus-xml: %s: " % tmp_path)


@pytest.mark.parametrize("args,needle", [
    ([], "no FILE given"),
    (["a.xml", "b.xml"], "give exactly one FILE"),
    (["--kind=pool", "a.xml"], "unknown --kind 'pool'"),
    (["--frobnicate", "a.xml"], "Unknown option --frobnicate"),
    (["--kind=device", "--validate", "a.xml"], "--validate works on domain and network"),
    (["--kind=capabilities", "--validate", "a.xml"], "--validate works on domain and network"),
])
def test_usage_errors(args, needle):
    rc, out, err = run(*args)
    assert rc == 2, err
    assert out == ""
    assert needle in err
    assert "--help" in err


def test_validate_autodetected_device():
    rc, _, err = run("--validate", os.path.join(SEED, "001-05-interface.txt"))
    assert rc == 2 and "--validate works on domain and network" in err


def test_help():
    rc, out, err = run("--help")
    assert rc == 0, err
    for word in ("--kind", "domain", "network", "device", "capabilities", "auto",
                 "--validate", "--secure", "--inactive", "--quiet", "FILE", "Exit status"):
        assert word in out, word
