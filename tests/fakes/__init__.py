"""Test doubles: fake command-line tools on PATH and a fake wpa_supplicant control socket."""
