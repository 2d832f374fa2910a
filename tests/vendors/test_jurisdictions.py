from vendors.jurisdictions import jurisdictions, split_codes, unknown_codes


def test_the_list_holds_every_country_and_us_and_canadian_subdivisions():
    codes = jurisdictions()

    assert codes["DE"] == "Germany"
    assert codes["GB"] == "United Kingdom"
    assert codes["US-CA"] == "California (United States)"
    assert codes["US-NY"] == "New York (United States)"
    assert codes["CA-QC"] == "Quebec (Canada)"
    assert "FR-75" not in codes


def test_split_codes_accepts_commas_semicolons_and_spaces():
    assert split_codes("de, fr;us-ca  DE") == ["DE", "FR", "US-CA"]


def test_unknown_codes_names_what_is_not_a_jurisdiction():
    assert unknown_codes(["DE", "XX", "US-ZZ", "EU"]) == ["XX", "US-ZZ", "EU"]
