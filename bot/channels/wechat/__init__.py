"""Channels (① and ⑥), WeChat: the Official Account (mp) and WeCom (wecom) adapters and the helpers they share."""
