def test_second_login_switches(client, make, login):
    a, b = make.user(name="Alpha Person"), make.user(name="Beta Person")
    login(a)
    assert "Alpha Person" in client.get("/home").get_data(as_text=True)
    login(b)
    page = client.get("/home").get_data(as_text=True)
    assert "Beta Person" in page and "Alpha Person" not in page
