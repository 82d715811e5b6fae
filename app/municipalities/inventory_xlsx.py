"""An inventory as an XLSX workbook laid out like the Covenant template (openpyxl), and back.

Sheet "Consumption": row 1 title, row 3 the carrier codes (row 4 their names), column A the sector
codes (column B their names), MWh in the cells, totals in the last row and column. Reading takes the
codes from row 3 and column A, so translated labels do not matter.
"""
from __future__ import annotations

import io

from flask_babel import gettext as _

from app.municipalities import inventory as calc

CODE_ROW, FIRST_ROW, FIRST_COL = 3, 5, 3


def export(inventory, result) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Consumption"
    sheet["A1"] = _("Final energy consumption (MWh): %(name)s, %(year)s", name=inventory.municipality.name,
                    year=inventory.year)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = inventory.kind
    sheet.cell(CODE_ROW, 1, "sector \\ carrier")
    carriers = list(calc.CARRIERS)
    cells = {(c.sector, c.carrier): c.mwh for c in inventory.cells}
    for j, carrier in enumerate(carriers):
        sheet.cell(CODE_ROW, FIRST_COL + j, carrier)
        sheet.cell(CODE_ROW + 1, FIRST_COL + j, calc.carrier_label(carrier)).font = Font(bold=True)
    total_col = FIRST_COL + len(carriers)
    sheet.cell(CODE_ROW + 1, total_col, _("Total")).font = Font(bold=True)
    for i, sector in enumerate(calc.SECTORS):
        row = FIRST_ROW + i
        sheet.cell(row, 1, sector)
        sheet.cell(row, 2, calc.sector_label(sector)).font = Font(bold=True)
        for j, carrier in enumerate(carriers):
            if (sector, carrier) in cells:
                sheet.cell(row, FIRST_COL + j, cells[(sector, carrier)])
            elif not calc.allowed(sector, carrier):
                sheet.cell(row, FIRST_COL + j, "—")
        first, last = get_column_letter(FIRST_COL), get_column_letter(total_col - 1)
        sheet.cell(row, total_col, f"=SUM({first}{row}:{last}{row})")
    total_row = FIRST_ROW + len(calc.SECTORS)
    sheet.cell(total_row, 2, _("Total")).font = Font(bold=True)
    for j in range(len(carriers) + 1):
        letter = get_column_letter(FIRST_COL + j)
        sheet.cell(total_row, FIRST_COL + j, f"=SUM({letter}{FIRST_ROW}:{letter}{total_row - 1})")
    sheet.column_dimensions["B"].width = 42
    if result is not None:
        emissions = book.create_sheet("Emissions")
        emissions.append(["sector", "carrier", "mwh", "factor", "t"])
        for row in result.emissions():
            emissions.append([row["sector"], row["carrier"], row["mwh"], row["factor"], row["t"]])
        emissions.append([])
        emissions.append([_("Total"), "", result.total_mwh, "", result.total_t])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes) -> tuple[list[dict], list[tuple[int, str]]]:
    """Consumption rows of a template workbook and the bad rows (spreadsheet row numbers)."""
    from app.municipalities.inventories import _check_row

    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        return [], [(1, _("Not an XLSX file we can read (%(error)s).", error=type(error).__name__))]
    sheet = book["Consumption"] if "Consumption" in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=1, max_row=200, max_col=40, values_only=True))
    if len(rows) < CODE_ROW:
        return [], [(1, _("The sheet is not laid out like the template."))]
    codes = [str(v).strip() if v is not None else "" for v in rows[CODE_ROW - 1]]
    columns = {j: c for j, c in enumerate(codes) if c in calc.CARRIERS}
    if not columns:
        return [], [(CODE_ROW, _("Row %(row)d must hold the carrier codes.", row=CODE_ROW))]
    out, errors, seen = [], [], {}
    for number, values in enumerate(rows, start=1):
        if number < FIRST_ROW or not values or values[0] in (None, ""):
            continue
        sector = str(values[0]).strip()
        for j, carrier in columns.items():
            value = values[j] if j < len(values) else None
            if value in (None, "", "—", "-", "·"):
                continue
            row = {"sector": sector, "carrier": carrier, "mwh": str(value)}
            problem = _check_row(row, seen, number)
            if problem:
                errors.append((number, f"{carrier}: {problem}"))
            else:
                out.append(row)
    return out, errors
