"""Catalogue search across languages: titles, summaries, topic names in every interface language,
trainers and places, ignoring case and accents (app.core.search)."""
from __future__ import annotations

from app.core.search import normalise
from app.courses import services


def _found(client, q: str) -> bool:
    return "Ενεργειακή φτώχεια στην Κρήτη" in client.get("/courses/", query_string={"q": q}).get_data(as_text=True)


def test_normalise_drops_case_accents_and_punctuation():
    assert normalise("Énergie — «Φτώχεια»", "ŁÓDŹ") == "energie φτωχεια łodz"


def test_a_module_tagged_energy_poverty_is_found_in_any_language(client, courses, make):
    trainer = make.trainer(name="Eleni Papadopoulou")
    module = courses.module(trainer, title="Ενεργειακή φτώχεια στην Κρήτη", summary="Εργαστήριο για δήμους.",
                            topics=["energy-poverty"])
    courses.session(module, location="Heraklion town hall", country="GR")
    for q in ("energy poverty", "Poverty", "φτωχεια", "φτώχεια", "ΦΤΏΧΕΙΑ", "energiearmoede",  # Dutch topic name
              "papadopoulou", "heraklion town", "Greece", "Grèce", "Ελλάδα"):
        assert _found(client, q), q
    for q in ("public lighting", "φτωχεια lighting", "povertyx"):
        assert not _found(client, q), q
    for q in ("%", "_"):  # LIKE's wildcards are not words: the whole catalogue
        assert _found(client, q), q
    assert client.get("/courses/", query_string={"q": "100%_\\ ' \""}).status_code == 200


def test_the_search_text_follows_edits_of_the_module_and_its_sessions(app, db, courses, make):
    module = courses.module(title="Public lighting retrofits", topics=["public-lighting"])
    session = courses.session(module, location="Zagreb", country="HR")
    assert "zagreb" in module.search_text and "croatia" in module.search_text and "hrvatska" in module.search_text
    services.update_module(module.trainers[0], module, title="LED street lighting")
    db.session.commit()
    assert module.search_text.startswith("led street lighting")
    services.update_session(module.trainers[0], session, location="Split")
    db.session.commit()
    assert "split" in module.search_text and "zagreb" not in module.search_text


def test_enrolling_does_not_rewrite_the_module(app, db, courses, make):
    """Seat counts change nothing the search looks at: no UPDATE of the module row on every enrolment."""
    from sqlalchemy import event

    session = courses.session()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        services.enrol(make.user(), session)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE COURSE_MODULES")]
