"""Every request page renders for the people who may see it."""

from __future__ import annotations

from portal.accounts.roles import Role


def test_pages_render(resident_client, resident, staff_client, file_request):
    item = file_request(resident)
    for path in ("/requests/", "/requests/new", f"/requests/{item.ref}",
                 "/requests/similar?category=1&building=3号楼", "/"):
        response = resident_client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:3000])
    director = staff_client(Role.DIRECTOR)
    for path in ("/staff/", "/staff/queue", f"/staff/requests/{item.ref}",
                 "/staff/requests/settings", "/staff/queue.csv"):
        response = director.get(path)
        body = response.get_data(as_text=True)  # read to the end: the CSV is streamed
        response.close()
        assert response.status_code == 200, (path, body[:3000])
