from prm.core.spreadsheets import text_cell


def test_csv_cells_a_partner_typed_never_run_as_formulas():
    assert [text_cell(v) for v in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "华东", "")] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "华东",
        "",
    ]
