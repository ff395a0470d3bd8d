"""Teachers' own sets: upload, edit with errors on their lines, drafts, versions, sharing,
preview and try it, and every bad upload refused with nothing changed."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import yaml
from helpers import PASSWORD, answer_attempt, set_document
from sqlalchemy import func, select

from quizapp.bank.sync import sync_directory
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import (
    Assignment,
    Attempt,
    Question,
    QuestionProgress,
    QuestionSet,
    SetSource,
    utcnow,
)


def dump(document):
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def upload(client, content, name="sample.yaml"):
    # The body as bytes: the test client's multipart builder spools a large one to a temporary
    # file that it never closes (a ResourceWarning, an error under filterwarnings).
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + b"\r\n--b--\r\n"
    )
    return client.post(
        "/teacher/sets/upload", data=body, content_type="multipart/form-data; boundary=b"
    )


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def teacher(make_user):
    return make_user("teach", role="teacher")


@pytest.fixture
def colleague(make_user):
    return make_user("colleague", role="teacher")


@pytest.fixture
def owned(client, auth, db, teacher):
    """A set uploaded by `teach`, who stays logged in."""
    auth.login("teach")
    response = upload(client, dump(set_document()).encode())
    assert response.status_code == 302
    return db.session.scalar(select(QuestionSet).where(QuestionSet.owner_id == teacher.id))


def sets_count(db):
    return db.session.scalar(select(func.count()).select_from(QuestionSet))


def test_an_uploaded_set_belongs_to_its_teacher_and_reads_back(client, db, owned, teacher):
    assert owned.owner_id == teacher.id
    assert owned.title == "Sample set"
    assert owned.slug == f"sample~{teacher.id}"
    assert [q.key for q in owned.questions] == ["founding-year", "investor"]
    page = client.get(f"/teacher/sets/{owned.id}/edit").get_data(as_text=True)
    assert "founding-year" in page and 'id="L1"' in page
    download = client.get(f"/teacher/sets/{owned.id}/set.yaml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="sample.yaml"'
    assert yaml.safe_load(download.get_data(as_text=True)) == set_document()
    assert "Sample set" in client.get("/teacher/sets").get_data(as_text=True)


def test_a_library_set_of_the_same_id_is_another_set(client, db, owned, questions_dir):
    (questions_dir / "sample.yaml").write_text(dump(set_document(title="Library")))
    report = sync_directory(questions_dir)
    db.session.commit()
    assert report.created == ["sample"] and not report.failed
    db.session.refresh(owned)
    assert owned.title == "Sample set" and owned.status == "active"
    # Syncing the folder again never retires a teacher's set (it has no file there).
    (questions_dir / "sample.yaml").unlink()
    sync_directory(questions_dir)
    db.session.commit()
    db.session.refresh(owned)
    assert owned.status == "active"


def test_a_broken_upload_creates_nothing_and_says_where(client, auth, db, teacher):
    auth.login("teach")
    text = dump(set_document()).replace("answer: '2015'", "answer: '2016'")
    response = upload(client, text.encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "nothing was created" in page
    assert "sample.yaml:" in page and ": error:" in page
    assert sets_count(db) == 0


BAD_UPLOADS = {
    "wrong type": (b"\x89PNG\r\n\x1a\n", "set.png", "Upload a .yaml file"),
    "not utf-8": (b"id: x\ntitle: \xff\n", "set.yaml", "not UTF-8"),
    "oversize": (b"#" * 2_000_001, "set.yaml", "larger than 2 MB"),
    "alias bomb": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode()
            for i in range(8)
        ),
        "set.yaml",
        "error",
    ),
    "duplicate question ids": (
        dump(
            set_document(
                [
                    {"id": "q", "type": "true_false", "prompt": "A?", "answer": True},
                    {"id": "q", "type": "true_false", "prompt": "B?", "answer": False},
                ]
            )
        ).encode(),
        "set.yaml",
        "used twice",
    ),
    "dot-dot in zip": (
        zipped({"set.yaml": dump(set_document()), "../evil.png": b"x"}),
        "set.zip",
        "outside its folder",
    ),
    "absolute path in zip": (
        zipped({"set.yaml": dump(set_document()), "/etc/evil.png": b"x"}),
        "set.zip",
        "outside its folder",
    ),
    "zip bomb": (zipped({"set.yaml": "#" * 50_000_000}), "set.zip", "too large once unpacked"),
    "two yaml files in zip": (
        zipped({"a.yaml": dump(set_document()), "b.yaml": dump(set_document())}),
        "set.zip",
        "exactly one .yaml",
    ),
    "other file in zip": (
        zipped({"set.yaml": dump(set_document()), "run.sh": "rm -rf /"}),
        "set.zip",
        "only a .yaml file and images",
    ),
    "broken zip": (b"PK\x03\x04broken", "set.zip", "not a zip file"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_with_a_message_and_changes_nothing(
    client, auth, db, teacher, case, app
):
    content, name, message = BAD_UPLOADS[case]
    auth.login("teach")
    response = upload(client, content, name)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert sets_count(db) == 0


def test_an_upload_over_the_request_limit_is_a_413(client, auth, db, teacher):
    from quizapp.authoring.uploads import MAX_UPLOAD_BYTES

    auth.login("teach")
    response = upload(client, b"#" * (MAX_UPLOAD_BYTES + 1), "set.yaml")
    assert response.status_code == 413
    assert sets_count(db) == 0


def test_the_same_set_id_twice_is_refused(client, db, owned):
    response = upload(client, dump(set_document(title="Again")).encode())
    assert response.status_code == 400
    assert "already have a set with the id" in response.get_data(as_text=True)
    assert sets_count(db) == 1


def test_a_draft_with_errors_never_replaces_the_live_version(client, db, owned):
    before = {q.key: (q.id, q.version) for q in owned.questions}
    broken = dump(set_document()).replace("answer: Microsoft", "answer: Apple")
    response = client.post(f"/teacher/sets/{owned.id}/edit", data={"text": broken})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The message links to its line, which the listing marks.
    line = broken.splitlines().index("  answer: Apple") + 1
    assert f'href="#L{line}"' in page
    assert f'<span id="L{line}" class="is-error">' in page
    assert "students still get the last valid version" in page
    db.session.expire_all()
    source = db.session.get(SetSource, owned.id)
    assert source.draft == broken and source.text == dump(set_document())
    current = db.session.scalars(
        select(Question).where(Question.set_id == owned.id, Question.is_current.is_(True))
    ).all()
    assert {q.key: (q.id, q.version) for q in current} == before
    # The draft is what the editor shows next time, and can be downloaded.
    assert "answer: Apple" in client.get(f"/teacher/sets/{owned.id}/edit").get_data(as_text=True)
    assert "Apple" in client.get(f"/teacher/sets/{owned.id}/set.yaml?draft=1").get_data(
        as_text=True
    )
    assert "Apple" not in client.get(f"/teacher/sets/{owned.id}/set.yaml").get_data(as_text=True)

    fixed = broken.replace("answer: Apple", "answer: Sequoia")
    response = client.post(f"/teacher/sets/{owned.id}/edit", data={"text": fixed})
    assert response.status_code == 302
    db.session.expire_all()
    source = db.session.get(SetSource, owned.id)
    assert source.draft is None and source.text == fixed
    investor = db.session.scalar(
        select(Question).where(Question.key == "investor", Question.is_current.is_(True))
    )
    assert investor.version == 2 and investor.spec["answer"] == "Sequoia"


def test_an_attempt_started_before_an_edit_keeps_its_questions(client, db, owned, make_user):
    student = make_user()
    attempt = answer_attempt(db, student, owned, [None, None], utcnow())
    started_with = [r.question_id for r in attempt.responses]
    edited = dump(set_document()).replace("Who invested", "Which company invested")
    assert client.post(f"/teacher/sets/{owned.id}/edit", data={"text": edited}).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert [r.question_id for r in attempt.responses] == started_with
    assert attempt.responses[1].question.prompt == "Who invested more than 10 billion dollars?"


def test_a_text_field_as_long_as_a_set_is_accepted(client, db, owned):
    long_set = set_document(description="x" * 19_000, title="Long " + "y" * 150)
    text = dump(long_set) + "#" + "z" * 25_000 + "\n"
    response = client.post(f"/teacher/sets/{owned.id}/edit", data={"text": text})
    assert response.status_code == 302


def other_teachers_urls(set_id):
    return [
        ("GET", f"/teacher/sets/{set_id}/edit"),
        ("POST", f"/teacher/sets/{set_id}/edit"),
        ("GET", f"/teacher/sets/{set_id}/preview"),
        ("GET", f"/teacher/sets/{set_id}/set.yaml"),
        ("POST", f"/teacher/sets/{set_id}/try"),
        ("GET", f"/teacher/sets/{set_id}/shares"),
        ("POST", f"/teacher/sets/{set_id}/draft/discard"),
        *(("GET", f"/teacher/sets/{set_id}/export/{fmt}") for fmt in ("gift", "moodle-xml", "qti")),
    ]


def test_the_owner_exports_their_set_in_each_format(client, owned):
    page = client.get("/teacher/sets").get_data(as_text=True)
    for fmt in ("gift", "moodle-xml", "qti"):
        assert f"/teacher/sets/{owned.id}/export/{fmt}" in page
    for fmt in ("gift", "moodle-xml", "qti"):
        response = client.get(f"/teacher/sets/{owned.id}/export/{fmt}")
        assert response.status_code == 200, fmt
        assert "attachment" in response.headers["Content-Disposition"]


def test_another_teacher_can_neither_read_edit_nor_assign_an_unshared_set(
    client, auth, db, owned, colleague
):
    auth.logout()
    auth.login("colleague")
    for method, url in other_teachers_urls(owned.id):
        assert client.open(url, method=method, data={"text": "x"}).status_code == 404, url
    assert f"/teacher/sets/{owned.id}/preview" not in client.get("/teacher/sets").get_data(
        as_text=True
    )
    classroom = create_classroom(colleague, "B", "Europe/Paris")
    db.session.commit()
    page = client.get(f"/classes/{classroom.id}").get_data(as_text=True)
    assert f'value="{owned.id}"' not in page
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data={
            "set_id": str(owned.id),
            "opens_at": "2026-12-01T09:00",
            "due_at": "2026-12-08T09:00",
            "late_policy": "refuse",
        },
    )
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_sharing_read_only_then_editing(client, auth, db, owned, colleague):
    response = client.post(
        f"/teacher/sets/{owned.id}/shares", data={"username": "nobody", "can_edit": ""}
    )
    assert response.status_code == 400
    assert "No teacher has this username" in response.get_data(as_text=True)
    assert (
        client.post(f"/teacher/sets/{owned.id}/shares", data={"username": "Colleague"}).status_code
        == 302
    )
    auth.logout()
    auth.login("colleague")
    assert client.get(f"/teacher/sets/{owned.id}/preview").status_code == 200
    assert client.get(f"/teacher/sets/{owned.id}/edit").status_code == 404
    assert client.get(f"/teacher/sets/{owned.id}/shares").status_code == 404  # owner's
    classroom = create_classroom(colleague, "B", "Europe/Paris")
    db.session.commit()
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data={
            "set_id": str(owned.id),
            "opens_at": "2026-12-01T09:00",
            "due_at": "2026-12-08T09:00",
            "late_policy": "refuse",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Assignment.set_id)) == owned.id
    auth.logout()
    auth.login("teach")
    client.post(f"/teacher/sets/{owned.id}/shares", data={"username": "colleague", "can_edit": "y"})
    auth.logout()
    auth.login("colleague")
    edited = dump(set_document(title="Edited by a colleague"))
    assert client.post(f"/teacher/sets/{owned.id}/edit", data={"text": edited}).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionSet, owned.id).title == "Edited by a colleague"


def test_preview_shows_the_key_to_teachers_only(client, auth, db, owned, make_user):
    page = client.get(f"/teacher/sets/{owned.id}/preview").get_data(as_text=True)
    assert "The right answer:" in page and "Microsoft, from 2019." in page
    make_user("pupil")
    auth.logout()
    auth.login("pupil")
    assert client.get(f"/teacher/sets/{owned.id}/preview").status_code == 403


def test_a_library_set_can_be_previewed_not_edited(client, auth, db, make_set, teacher):
    library = make_set()
    auth.login("teach")
    assert client.get(f"/teacher/sets/{library.id}/preview").status_code == 200
    assert client.get(f"/teacher/sets/{library.id}/edit").status_code == 404


def test_try_it_is_a_throwaway_attempt_in_no_statistic(client, db, owned, teacher):
    response = client.post(f"/teacher/sets/{owned.id}/try")
    assert response.status_code == 302 and "/questions/1" in response.headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    assert attempt.trial is True and attempt.user_id == teacher.id
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state == "graded"
    assert db.session.scalar(select(func.count()).select_from(QuestionProgress)) == 0
    from quizapp.progress.services import history

    assert history(teacher.id)[0] == []


def test_an_owned_set_is_not_in_the_catalogue_but_assignable(
    client, auth, db, owned, teacher, make_user
):
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    student = make_user("pupil", password=PASSWORD)
    join(classroom, student, "Pupil")
    db.session.commit()
    now = utcnow()
    from helpers import assign

    assignment = assign(db, classroom, owned, now - timedelta(hours=1), now + timedelta(days=1))
    auth.logout()
    auth.login("pupil")
    assert 'id="set-sample' not in client.get("/quizzes").get_data(as_text=True)
    assert client.post(f"/quizzes/{owned.slug}/start").status_code == 302  # the assignment
    response = client.post(f"/assignments/{assignment.id}/start")
    assert response.status_code == 302
    assert db.session.scalar(select(Attempt.assignment_id)) == assignment.id


def test_a_new_set_from_the_template_gets_a_free_id(client, db, auth, teacher):
    auth.login("teach")
    for _ in range(2):
        assert client.post("/teacher/sets/new", data={"language": "fr"}).status_code == 302
    slugs = sorted(db.session.scalars(select(QuestionSet.slug)))
    assert slugs == [f"new-set-1~{teacher.id}", f"new-set-2~{teacher.id}"]
