"""Command-line arguments that argparse alone gets wrong: base64url ids that start with "-" (one in 64)."""

from __future__ import annotations

import pytest

from field_app.cli import ID_OPTIONS, build_parser
from field_app.crypto.canonical import join_id_values


@pytest.mark.parametrize("device", ["-TYHky_P9hdRLoehcuvNVQ", "--x", "AbC-_d", "-"])
def test_a_device_id_starting_with_a_dash_is_taken_as_the_value(device: str) -> None:
    argv = ["confirm", "--data", "/tmp/d", "--device", device, "--fingerprint", "1 2 3"]
    args = build_parser().parse_args(join_id_values(argv, ID_OPTIONS))
    assert args.device == device and args.fingerprint == "1 2 3"


@pytest.mark.parametrize("team", ["-wa2kpE6LEVSWT-YthbhIw", "AbC-_d"])
def test_a_team_id_starting_with_a_dash_is_taken_as_the_value_by_the_server_cli(team: str) -> None:
    pytest.importorskip("fastapi", reason="the compat run has no server packages")
    from sync_server.cli import build_parser as server_parser

    argv = ["invite", "--db", "/tmp/s.db", "--team", team, "--role", "CASUSREGISSEUR", "--json"]
    args = server_parser().parse_args(join_id_values(argv, ("--team",)))
    assert args.team == team and args.role == "CASUSREGISSEUR"


def test_other_arguments_are_left_alone() -> None:
    argv = ["revoke", "--data", "/tmp/d", "--device=abc", "--reason", "LOST"]
    assert join_id_values(argv, ID_OPTIONS) == argv
