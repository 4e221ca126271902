"""Anning (安宁): help for people harassed by debt collectors, above all verification-code bombing.

How a message travels (the circled numbers are the order):

    ① channels/<x>.py   platform edge: verify, parse raw -> engine.messages.Incoming
    ② engine/engine.py  per-user lock, load Session, safety, router picks a route
    ③ legal_qa/         retrieve (BM25 + dense, RRF) -> cited Answer   (sms/, flows/ come next)
    ④ documents/        filled templates as FileOut                     (planned)
    ⑤ engine/           returns Reply objects; the session is saved
    ⑥ channels/<x>.py   render Reply for the platform's limits and send

wiring.py is the only place that builds concrete collaborators from settings.py.
"""
