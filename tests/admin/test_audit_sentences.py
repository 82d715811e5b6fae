"""The audit log reads as sentences, with links to the objects, in a bounded number of queries."""
from __future__ import annotations

from app.core import audit
from app.extensions import db
from tests.municipalities.conftest import MunicipalityFactories


def test_sentences_per_action_with_links(client, make, login):
    admin = make.admin(name="Ada Admin")
    maria = make.user(name="Maria Rossi", role="trainer")
    nikos = make.user(name="Nikos Papadakis")
    town = MunicipalityFactories().municipality(name="Évora", country="PT")
    audit.record("course.enrol", maria, target="session:999999", detail=f"user:{nikos.id} status:enrolled")
    audit.record("user.update", admin, target=f"user:{maria.id}", detail="role participant->trainer")
    audit.record("municipality.create", maria, target=f"municipality:{town.id}")
    audit.record("something.new", nikos, target="thing")
    audit.record("login.failure", None, target="<b>x@example.org</b>")
    db.session.commit()
    login(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    maria_link = f'<a href="/admin/users/{maria.id}">Maria Rossi</a>'
    nikos_link = f'<a href="/admin/users/{nikos.id}">Nikos Papadakis</a>'
    assert f"{maria_link} enrolled {nikos_link} in session 999999" in html
    assert f'<a href="/admin/users/{admin.id}">Ada Admin</a> changed the role or status of {maria_link}' in html
    assert f'{maria_link} added <a href="/municipalities/{town.id}">Évora</a>' in html
    assert f"{nikos_link}: something.new, thing" in html  # the generic sentence
    assert "A sign-in failed for &lt;b&gt;x@example.org&lt;/b&gt;" in html  # escaped, never HTML


def test_sentences_are_translated(client, make, login):
    admin = make.admin(name="Ada Admin", language="fr")
    town = MunicipalityFactories().municipality(name="Lyon", country="FR")
    audit.record("municipality.create", admin, target=f"municipality:{town.id}")
    db.session.commit()
    login(admin)
    html = client.get("/admin/audit", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f'Ada Admin</a> a ajouté <a href="/municipalities/{town.id}">Lyon</a>' in html


def test_the_audit_page_has_a_bounded_query_count(client, make, login, count_queries):
    admin = make.admin()
    login(admin)
    munis = MunicipalityFactories()

    def grow(n):
        for i in range(n):
            person = make.user()
            town = munis.municipality()
            audit.record("municipality.create", person, target=f"municipality:{town.id}")
            audit.record("course.enrol", person, target=f"session:{i + 1}", detail=f"user:{admin.id}")
            audit.record("coaching.book", person, target=f"appointment:{i + 1}", detail=f"user:{admin.id}")
        db.session.commit()

    grow(2)
    with count_queries() as small:
        assert client.get("/admin/audit?per_page=100").status_code == 200
    grow(20)
    with count_queries() as large:
        assert client.get("/admin/audit?per_page=100").status_code == 200
    assert large.count == small.count <= 14
