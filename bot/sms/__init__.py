"""SMS analysis stage (③a), package: split pasted SMS, label them by reviewed rules, explain them with citations.

parse.py     paste -> SmsRecord (sender, time, raw text); never judges content
rules.py     knowledge/sms_rules.yaml -> validated, precompiled Rules (article ids checked against knowledge/)
classify.py  SmsRecord -> Finding (label, signals, platform, code, amounts, dates, articles); bursts of codes
explain.py   findings -> one short plain-Chinese reply (texts from bot/texts/zh_CN.sms.toml)
evaluate.py  per-label / per-signal scores and a confusion matrix over a labelled JSONL set

Other inputs (screenshots, backup files) produce the same SmsRecord and go through the same classifier.
"""
