"""Images in questions: uploaded with the set or added later, or next to a folder set's file;
checked, stored by content hash, shown with their alt text and size, never by their name."""

from __future__ import annotations

import io

import pytest
import yaml
from helpers import set_document
from PIL import Image
from sqlalchemy import func, select
from test_authoring import dump, upload, zipped

from quizapp.bank.reader import read_file
from quizapp.bank.sync import sync_directory
from quizapp.models import QuestionSet, SetImage

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b"<script>document.title='pwned'</script><rect width='40' height='20'/></svg>"
)


def png(width=30, height=20):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return buffer.getvalue()


def with_images(**extra):
    question = {
        "id": "where",
        "type": "single",
        "prompt": "Which city is marked?",
        "image": {"file": "maps/right-answer-paris.png", "alt": "A map with a red dot"},
        "choices": [
            {"text": "Paris", "image": {"file": "logo.svg", "alt": "A black rectangle"}},
            "Lyon",
            "Nice",
        ],
        "answer": "Paris",
        "explanation": "Paris.",
        "explanation_image": {"file": "maps/right-answer-paris.png", "decorative": True},
        **extra,
    }
    return set_document([question], settings={"shuffle_choices": False})


@pytest.fixture
def teacher(make_user):
    return make_user("teach", role="teacher")


def test_a_zip_with_images_makes_a_set_whose_pages_show_them_by_hash(client, auth, db, teacher):
    auth.login("teach")
    archive = zipped(
        {
            "set/sample.yaml": dump(with_images()),
            "set/maps/right-answer-paris.png": png(),
            "set/logo.svg": SVG_WITH_SCRIPT,
        }
    )
    response = upload(client, archive, "set.zip")
    assert response.status_code == 302, response.get_data(as_text=True)
    question_set = db.session.scalar(select(QuestionSet))
    rows = {i.name: i for i in db.session.scalars(select(SetImage))}
    assert sorted(rows) == ["logo.svg", "maps/right-answer-paris.png"]
    assert (rows["maps/right-answer-paris.png"].width, rows["logo.svg"].height) == (30, 20)
    assert rows["logo.svg"].media_type == "image/svg+xml"

    page = client.get(f"/teacher/sets/{question_set.id}/preview").get_data(as_text=True)
    picture = rows["maps/right-answer-paris.png"]
    assert (
        f'src="/images/{picture.sha256}" alt="A map with a red dot" width="30" height="20"' in page
    )
    assert 'alt=""' in page  # the decorative one
    assert "right-answer" not in page.replace("right-answer-paris.png</code>", "")

    # The student's page (a try-it run) shows them the same way, never by file name.
    response = client.post(f"/teacher/sets/{question_set.id}/try")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'src="/images/{picture.sha256}"' in page
    assert f'src="/images/{rows["logo.svg"].sha256}" alt="A black rectangle"' in page
    assert "right-answer" not in page

    served = client.get(f"/images/{picture.sha256}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == png()
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    svg = client.get(f"/images/{rows['logo.svg'].sha256}")
    assert svg.mimetype == "image/svg+xml"
    assert "script-src 'none'" in svg.headers["Content-Security-Policy"]
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/images/" + "0" * 64).status_code == 404
    assert client.get("/images/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"logo.svg": SVG_WITH_SCRIPT}, "maps/right-answer-paris.png&#39; is not found"),
        (
            {"maps/right-answer-paris.png": b"not an image", "logo.svg": SVG_WITH_SCRIPT},
            "not an image that can be read",
        ),
        (
            {
                "maps/right-answer-paris.png": png(),
                "logo.svg": b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
            },
            "may not declare a DOCTYPE",
        ),
        (
            {"maps/right-answer-paris.png": png(9000, 1), "logo.svg": SVG_WITH_SCRIPT},
            "too large",
        ),
    ],
)
def test_a_missing_or_bad_image_refuses_the_upload(client, auth, db, teacher, members, message):
    auth.login("teach")
    response = upload(client, zipped({"sample.yaml": dump(with_images()), **members}), "s.zip")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    line = dump(with_images()).splitlines().index("  image:") + 1
    if "is not found" in message:
        assert f"sample.yaml:{line + 1}:" in page  # at its `file:`
    assert db.session.scalar(select(func.count()).select_from(QuestionSet)) == 0
    assert db.session.scalar(select(func.count()).select_from(SetImage)) == 0


def test_an_image_without_alt_is_an_error_unless_decorative(tmp_path):
    document = with_images()
    del document["questions"][0]["image"]["alt"]
    path = tmp_path / "s.yaml"
    path.write_text(dump(document))
    report = read_file(path)
    assert [d.message for d in report.errors] == [
        "an image needs `alt:`, the words that say what it shows"
    ]


def test_images_added_on_the_set_page_can_then_be_named(client, auth, db, teacher):
    auth.login("teach")
    assert upload(client, dump(set_document()).encode()).status_code == 302
    question_set = db.session.scalar(select(QuestionSet))
    refused = client.post(
        f"/teacher/sets/{question_set.id}/images",
        data={"files": [(io.BytesIO(b"#!/bin/sh"), "run.sh")]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SetImage)) == 0
    added = client.post(
        f"/teacher/sets/{question_set.id}/images",
        data={
            "files": [
                (io.BytesIO(png()), "maps/right-answer-paris.png"),
                (io.BytesIO(SVG_WITH_SCRIPT), "logo.svg"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    # Only the base name is kept: a name from the browser is never a path.
    names = set(db.session.scalars(select(SetImage.name)))
    assert names == {"right-answer-paris.png", "logo.svg"}
    text = dump(with_images()).replace("maps/right-answer-paris.png", "right-answer-paris.png")
    response = client.post(f"/teacher/sets/{question_set.id}/edit", data={"text": text})
    assert response.status_code == 302
    assert "Paris" in client.get(f"/teacher/sets/{question_set.id}/preview").get_data(as_text=True)


def test_a_folder_set_reads_its_images_next_to_its_file(db, questions_dir):
    (questions_dir / "maps").mkdir()
    (questions_dir / "maps" / "right-answer-paris.png").write_bytes(png())
    (questions_dir / "sample.yaml").write_text(dump(with_images()))
    report = read_file(questions_dir / "sample.yaml", display="sample.yaml")
    line = next(
        number
        for number, text in enumerate(dump(with_images()).splitlines(), start=1)
        if "logo.svg" in text
    )
    assert [str(d) for d in report.errors] == [
        f"sample.yaml:{line}:13: error: the image 'logo.svg' is not found: put it next to the "
        "YAML file (in a zip with it, for an upload)"
    ]
    (questions_dir / "logo.svg").write_bytes(SVG_WITH_SCRIPT)
    result = sync_directory(questions_dir)
    db.session.commit()
    assert result.created == ["sample"], result.failed
    assert set(db.session.scalars(select(SetImage.name))) == {
        "maps/right-answer-paris.png",
        "logo.svg",
    }
    assert yaml.safe_load((questions_dir / "sample.yaml").read_text())["id"] == "sample"


def test_a_decompression_bomb_is_refused_without_decoding_it():
    from quizapp.bank.images import ImageError, inspect

    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 M pixels, a few kB
    with pytest.raises(ImageError, match=r"not an image that can be read|too large"):
        inspect(buffer.getvalue())
    with pytest.raises(ImageError, match="only PNG, JPEG, WebP and SVG"):
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4)).save(buffer, "GIF")
        inspect(buffer.getvalue())
