"""Legal Q&A stage, service: one call from a question to a cited Answer (retrieve, then compose)."""

from __future__ import annotations

from bot.legal_qa.answer import Answer, Answerer
from bot.legal_qa.retrieve import Mode, Retrieval, Retriever

ANSWER_POOL = 20  # the seed article's sections often fill the top ranks; citations need statutes below them


class LegalQA:
    """Retriever + answerer behind one method, as the engine and the CLI use them."""

    def __init__(self, retriever: Retriever, answerer: Answerer) -> None:
        self.retriever = retriever
        self.answerer = answerer

    def retrieve(self, question: str, k: int = 8, mode: Mode = "full") -> Retrieval:
        """Ranked passages for a question."""
        return self.retriever.search(question, k=k, mode=mode)

    def ask(self, question: str, mode: Mode = "full") -> Answer:
        """A cited answer, or an honest 'not covered'."""
        return self.answerer.answer(question, self.retrieve(question, k=ANSWER_POOL, mode=mode))
