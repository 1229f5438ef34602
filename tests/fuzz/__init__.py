"""The reliability fuzz harness (``python tests/fuzz/run.py``) and its hostile inputs."""
