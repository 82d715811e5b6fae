"""Reading the pages tests look at: the personal home and one of its sections."""
from __future__ import annotations


def home_page(client) -> str:
    return client.get("/home").get_data(as_text=True)


def home_section(client, name: str) -> str:
    """The HTML of the home's `<section id="home-<name>">` (from its opening tag to its end)."""
    page = home_page(client)
    start = page.index(f'id="home-{name}"')
    return page[start:page.index("</section>", start)]


def home_query_count(client, count_queries) -> int:
    """The SQL statements one GET /home sends when it renders every section (none kept from before; it
    must answer 200)."""
    from app.core import cache

    cache.clear()
    with count_queries() as q:
        assert client.get("/home").status_code == 200
    return q.count
