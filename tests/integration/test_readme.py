"""The README's configuration reference is the binary's own, word for word."""
import pathlib
import subprocess

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_configuration_reference_matches_the_schema(holdfast_bin):
    want = subprocess.run([holdfast_bin, "--config-reference"], check=True, capture_output=True,
                          text=True).stdout
    text = README.read_text()
    begin = text.index("<!-- reference:begin -->\n") + len("<!-- reference:begin -->\n")
    end = text.index("<!-- reference:end -->")
    assert text[begin:end] == want, (
        "README.md's configuration reference is out of date: run `make readme`")
