# SPDX-License-Identifier: GPL-3.0-or-later
"""The test world: a private DNS hierarchy in network namespaces (world.py, zones.py)."""
