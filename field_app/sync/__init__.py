"""Talking to the sync server: an httpx client (client.py) and the background engine (engine.py)."""
