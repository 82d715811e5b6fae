"""Import from CSV, TSV and JSON: good rows in, bad rows reported with their line, nothing half-written."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from app.municipalities.models import Municipality, MunicipalityMember

CSV = """name,country,population,seap_submitted_on,baseline_year,reduction_target_percent,baseline_emissions_t
Hasselt,BE,78000,2012-03-01,2011,20,410000
,BE,1000,,,,
Genk,BE,lots,2012-13-01,,,
Sint-Truiden,be,40000,,,,
Hasselt,BE,1,,,,
"""


def _names(db):
    return sorted(db.session.scalars(select(Municipality.name)))


def test_cli_csv_reports_bad_lines_and_imports_the_rest(app, make, db, tmp_path):
    make.admin()
    path = tmp_path / "municipalities.csv"
    path.write_text(CSV)
    result = app.test_cli_runner().invoke(args=["municipalities", "import", str(path)])
    assert result.exit_code == 1, result.output
    output = result.output  # stdout and stderr
    assert "line 3: rejected: name: This field is required." in output
    assert "line 4: rejected:" in output and "population" in output and "seap_submitted_on" in output
    assert "line 6: rejected: name: A municipality with this name exists already" in output
    assert "Imported 2 municipalities (CSV); rejected 3 rows." in output
    db.session.rollback()
    assert _names(db) == ["Hasselt", "Sint-Truiden"]


def test_cli_tsv_and_json_and_followers(app, make, db, tmp_path):
    make.admin()
    coordinator = make.user(email="giulia@example.org", com_role="coordinator")
    tsv = tmp_path / "m.tsv"
    tsv.write_text("name\tcountry\tfollowers\nGenova\tIT\tgiulia@example.org\nSavona\tIT\tnobody@example.org\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["municipalities", "import", str(tsv)])
    assert result.exit_code == 1
    assert "Imported 1 municipalities (TSV)" in result.output
    assert "line 3: rejected: followers: no account for nobody@example.org." in result.output
    data = tmp_path / "m.json"
    data.write_text(json.dumps([{"name": "Imperia", "country": "IT", "population": 42000},
                                {"name": "La Spezia", "country": "IT", "colour": "green"}]))
    result = runner.invoke(args=["municipalities", "import", str(data), "--as", coordinator.email])
    assert result.exit_code == 1
    assert "item 2: rejected: Unknown columns: colour." in result.output
    db.session.rollback()
    assert _names(db) == ["Genova", "Imperia"]
    followed = db.session.scalar(select(func.count()).select_from(MunicipalityMember)
                                 .where(MunicipalityMember.user_id == coordinator.id))
    assert followed == 2  # named in the TSV, and imported as that coordinator


def test_cli_all_good_is_exit_0_and_unreadable_is_exit_2(app, make, tmp_path):
    make.admin()
    runner = app.test_cli_runner()
    good = tmp_path / "ok.csv"
    good.write_text("name,country\nZadar,HR\n")
    assert runner.invoke(args=["municipalities", "import", str(good)]).exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"name\": ")
    result = runner.invoke(args=["municipalities", "import", str(bad)])
    assert result.exit_code == 2 and "not a CSV, TSV or JSON file" in result.output
    assert runner.invoke(args=["municipalities", "import", str(tmp_path / "missing.csv")]).exit_code == 2


def test_upload_form(client, make, login, db):
    coordinator = make.user(com_role="coordinator")
    login(coordinator)
    response = client.post("/municipalities/import", data={
        "file": (io.BytesIO(CSV.encode()), "municipalities.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Imported 2 municipalities. 3 rows rejected." in html
    assert "<td>3</td>" in html and "This field is required." in html
    assert _names(db) == ["Hasselt", "Sint-Truiden"]
    unreadable = client.post("/municipalities/import", data={
        "file": (io.BytesIO(b"\x00\x01\x02"), "x.csv")}, content_type="multipart/form-data")
    assert unreadable.status_code == 200


def test_upload_form_is_for_admins_and_coordinators(client, make, login):
    login(make.user(com_role="municipality"))
    assert client.get("/municipalities/import").status_code == 403
