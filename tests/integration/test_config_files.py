"""--check-config also checks the files the configuration names: root hints and
trust anchors, the known-forged list."""
import subprocess


def check_with_file(holdfast_bin, tmp_path, key_template, filename, text):
    """Writes text (None: nothing) to filename, names it in the config, checks."""
    path = tmp_path / filename
    if text is not None:
        path.write_text(text)
    conf = tmp_path / "c.yaml"
    conf.write_text(key_template.format(path) + "\n")
    return subprocess.run([holdfast_bin, "--check-config", "-c", str(conf)],
                          capture_output=True, text=True, timeout=10)


def check(holdfast_bin, tmp_path, hints_text):
    return check_with_file(holdfast_bin, tmp_path, "root-hints: {}", "hints", hints_text)


def test_missing_hints_file(holdfast_bin, tmp_path):
    p = check(holdfast_bin, tmp_path, None)
    assert p.returncode == 1
    assert "hints: cannot read" in p.stderr


def test_hints_file_with_garbage_names_the_line(holdfast_bin, tmp_path):
    p = check(holdfast_bin, tmp_path, ". 3600000 NS a.root.test.\nthis is not a record\n")
    assert p.returncode == 1
    assert "hints:2: not a record" in p.stderr


def test_hints_without_addresses(holdfast_bin, tmp_path):
    p = check(holdfast_bin, tmp_path, ". 3600000 NS a.root.test.\n")
    assert p.returncode == 1
    assert "no root server with an address" in p.stderr


def test_good_hints(holdfast_bin, tmp_path):
    p = check(holdfast_bin, tmp_path,
              "; comment\n. 3600000 NS a.root.test.\na.root.test. 3600000 A 192.0.2.1\n")
    assert p.returncode == 0, p.stderr


def check_anchor(holdfast_bin, tmp_path, text):
    return check_with_file(holdfast_bin, tmp_path, "trust-anchors: [{}]", "anchor.ds", text)


def test_missing_trust_anchor_file(holdfast_bin, tmp_path):
    p = check_anchor(holdfast_bin, tmp_path, None)
    assert p.returncode == 1
    assert "anchor.ds: cannot read trust anchors" in p.stderr


def test_trust_anchor_of_the_wrong_type_names_the_line(holdfast_bin, tmp_path):
    p = check_anchor(holdfast_bin, tmp_path, "; root\n. IN A 192.0.2.1\n")
    assert p.returncode == 1
    assert "anchor.ds:2: a trust anchor must be a DS or DNSKEY record" in p.stderr


def test_trust_anchor_that_does_not_parse(holdfast_bin, tmp_path):
    p = check_anchor(holdfast_bin, tmp_path, ". IN DS 20326 8 2 nothex\n")
    assert p.returncode == 1
    assert "anchor.ds:1: not a record" in p.stderr


def test_empty_trust_anchor_file(holdfast_bin, tmp_path):
    p = check_anchor(holdfast_bin, tmp_path, "; nothing\n")
    assert p.returncode == 1
    assert "no DS or DNSKEY record" in p.stderr


def test_debian_root_anchors_are_good(holdfast_bin, tmp_path):
    p = check_anchor(holdfast_bin, tmp_path, open("/usr/share/dns/root.ds").read() +
                     open("/usr/share/dns/root.key").read())
    assert p.returncode == 0, p.stderr


def test_oversized_hints_file(holdfast_bin, tmp_path):
    p = check(holdfast_bin, tmp_path, ";" * 70000 + "\n")
    assert p.returncode == 1
    assert "larger than any root hints file" in p.stderr


def test_hints_given_as_a_directory(holdfast_bin, tmp_path):
    p = subprocess.run([holdfast_bin, "--check-config", "-c", "/dev/stdin"],
                       input=f"root-hints: {tmp_path}\n", capture_output=True, text=True,
                       timeout=10)
    assert p.returncode == 1
    assert "cannot read" in p.stderr


def check_forged(holdfast_bin, tmp_path, text):
    return check_with_file(holdfast_bin, tmp_path, "guard: {{forged-list: {}}}", "forged", text)


def test_forged_list_missing(holdfast_bin, tmp_path):
    p = check_forged(holdfast_bin, tmp_path, None)
    assert p.returncode == 1
    assert "guard.forged-list: " in p.stderr and "forged" in p.stderr, p.stderr


def test_forged_list_garbage_names_the_line(holdfast_bin, tmp_path):
    p = check_forged(holdfast_bin, tmp_path, "# mine\n192.0.2.1\n2001:db8::/129\n")
    assert p.returncode == 1
    assert "forged: line 3: '2001:db8::/129' is not an address or prefix" in p.stderr, p.stderr


def test_forged_list_good(holdfast_bin, tmp_path):
    p = check_forged(holdfast_bin, tmp_path, "192.0.2.1\n198.51.100.0/24  # a pool\n")
    assert p.returncode == 0, p.stderr
