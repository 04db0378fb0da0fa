from printer_app.services.supplies.keys import MAX_KEY, supply_key


def test_the_index_names_a_supply_when_there_is_one():
    assert supply_key("toner", "black", 1, "Black Cartridge 12A") == "toner:black:1"
    assert supply_key("drum", None, 4) == "drum:-:4"


def test_without_an_index_the_description_names_it_whatever_its_case_and_spaces():
    a = supply_key("toner", "cyan", None, "  Cyan   Toner ")
    assert a == supply_key("toner", "cyan", None, "cyan toner") == "toner:cyan:d:cyan toner"
    assert a != supply_key("toner", "cyan", None, "cyan toner 2")


def test_a_key_fits_its_column():
    assert len(supply_key("toner", "black", None, "x" * 500)) == MAX_KEY
    assert supply_key("", None, None) == "other:-:d:"
