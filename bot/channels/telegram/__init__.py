"""Channels (① and ⑥), Telegram: inbound parsing (inbound.py), outbound rendering (outbound.py), the I/O (channel.py)."""
