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

import os

# One BLAS thread per process unless the environment says otherwise (before numpy is first imported): numpy's
# OpenBLAS otherwise starts a thread per core and spins them on every small matrix product, and a server embeds one
# short query per message. Measured on a shared 2-core machine (load 6): 442 ms per query embedding with the default,
# 7 ms with one thread. A large `anning index` on an idle machine may set OPENBLAS_NUM_THREADS higher.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
