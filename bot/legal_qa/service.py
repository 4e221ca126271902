"""Legal Q&A stage, service: one call from a question to a cited Answer (retrieve, then compose)."""

from __future__ import annotations

from dataclasses import replace

from bot.legal_qa.answer import Answer, Answerer
from bot.legal_qa.retrieve import Mode, Retrieval, Retriever
from bot.legal_qa.topics import lead

ANSWER_POOL = 20  # the seed article's sections often fill the top ranks; citations need statutes below them


class LegalQA:
    """Retriever + answerer behind one method, as the engine and the CLI use them."""

    def __init__(self, retriever: Retriever, answerer: Answerer) -> None:
        self.retriever = retriever
        self.answerer = answerer

    def retrieve(self, question: str, k: int = 8, mode: Mode = "full") -> Retrieval:
        """Ranked passages for a question."""
        return self.retriever.search(question, k=k, mode=mode)

    def has_card_words(self, text: str) -> bool:
        """Whether any reviewed card's trigger occurs in the text (however weakly)."""
        return bool(self.retriever.topics.match(text))

    def defers(self, topic_id: str) -> list[str]:
        """The cards a card defers to in a conversation already on one of them (knowledge/topics.yaml defers_to)."""
        topic = self.answerer.kb.topic(topic_id)
        return topic.defers_to if topic is not None else []

    def crimes(self, topic_id: str, question: str, lang: str) -> Answer | None:
        """The offences a card cites, quoted at their penalties ("这个算什么罪" after it); None when it cites none."""
        return self.answerer.crimes(topic_id, question, lang)

    def ask(self, question: str, mode: Mode = "full", prefer: str = "", stay: bool = False, lang: str = "") -> Answer:
        """A cited answer, or an honest 'not covered'; `prefer`: the topic of the conversation so far, which leads
        when the question matches it too (a follow-up stays on its subject); `stay`: it leads whenever it fits at
        all, even on one word beside a stronger card ("那协商到底合法吗" after a negotiation answer)."""
        retrieval = self.retriever.search(question, k=ANSWER_POOL, mode=mode, prefer=prefer if stay else "")
        if prefer and len(retrieval.topics) > 1:
            retrieval = replace(retrieval, topics=lead(prefer, retrieval.topics))
        return self.answerer.answer(question, retrieval, lang)

    def point(self, topic_id: str, question: str, before: str, lang: str) -> Answer | None:
        """A card's special case a follow-up raises ("他借的钱都拿去赌了" after a spouse's debt); None when none."""
        return self.answerer.point(topic_id, question, before, lang)
