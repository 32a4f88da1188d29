"""Demo data for local development and tests: never installed in production.

``python manage.py load_demo`` loads every part in order (``services.load_demo``): the
accounts of every role (``accounts``), the catalogue (``catalogue``), the young people's
papers (``vault``), the mentors and a pair (``mentoring``), and six months of made-up
activity for the figures (``activity``). Loading again updates the demo in place: the
demo accounts keep their ids, sessions and what a developer did with them.
"""
