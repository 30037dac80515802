"""Command-line arguments that argparse alone gets wrong."""

from __future__ import annotations

import pytest

from field_app.cli import _join_id_values, build_parser


@pytest.mark.parametrize("device", ["-TYHky_P9hdRLoehcuvNVQ", "--x", "AbC-_d", "-"])
def test_a_device_id_starting_with_a_dash_is_taken_as_the_value(device: str) -> None:
    argv = ["confirm", "--data", "/tmp/d", "--device", device, "--fingerprint", "1 2 3"]
    args = build_parser().parse_args(_join_id_values(argv))
    assert args.device == device and args.fingerprint == "1 2 3"


def test_other_arguments_are_left_alone() -> None:
    argv = ["revoke", "--data", "/tmp/d", "--device=abc", "--reason", "LOST"]
    assert _join_id_values(argv) == argv
