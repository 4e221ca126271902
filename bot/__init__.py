"""Anning (安宁): help for people harassed by debt collectors, above all verification-code bombing.

How a message travels (the circled numbers are the order):

    ① channels/<x>.py   platform edge (terminal, Telegram, WeChat Official Account, WeCom): verify, parse raw
                        -> engine.messages.Incoming
    ② engine/engine.py  per-user lock, load Session, safety, router picks a route
    ③ sms/, flows/,     SMS analysis into the evidence log; the seven-step journey;
      legal_qa/         retrieve (topic cards + BM25 + dense, RRF) -> cited Answer
    ④ documents/        filled templates as FileOut
    ⑤ engine/           returns Reply objects; the session is saved
    ⑥ channels/<x>.py   render Reply for the platform's limits and send (WeChat: passive within 5 s, else pushed,
                        else held in the outbox for the next message; files as signed links or WeCom files)

wiring.py is the only place that builds concrete collaborators from settings.py.
"""
