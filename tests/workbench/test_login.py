"""Logging in and out of the workbench pages."""

from __future__ import annotations

from django.test import Client


def test_pages_require_login_and_send_to_the_login_page(db):
    response = Client().get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/cases/")


def test_wrong_password_gets_a_chinese_message(people):
    response = Client().post("/login/", {"username": "handler", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_login_then_logout_only_by_post(people):
    client = Client()
    people["handler"].set_password("kesu-demo")
    people["handler"].save()
    response = client.post("/login/", {"username": "handler", "password": "kesu-demo"})
    assert response.status_code == 302
    assert client.get("/logout/").status_code == 405  # no state change on GET
    assert client.post("/logout/").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_stylesheet_is_served_locally(db):
    response = Client().get("/login/")
    html = response.content.decode()
    assert "/static/kesu/kesu.css" in html
    assert "http://" not in html and "https://" not in html  # no CDN
