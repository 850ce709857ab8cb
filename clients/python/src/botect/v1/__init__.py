"""Generated from proto/botect/v1 by scripts/generate.py; do not edit."""
