"""The one search service: two-character Chinese words, phrases, prefixes, kinds, updates."""

from __future__ import annotations

import pytest

from portal.search import service as search
from portal.search.models import SearchDocument


def test_text_is_cut_into_pairs_of_characters_and_words():
    assert search.tokens("三楼楼道，Lift 3号楼") == "三楼 楼楼 楼道 道 lift 3 号楼 楼"
    assert search.tokens("ＡＢＣ") == "abc"  # full-width letters are the same letters


@pytest.fixture
def documents(app, db):
    texts = {1: "三楼楼道堆了很多纸箱和旧家具，挡住了消防通道。",
             2: "晚上广场舞的噪音太大，影响老人休息。",
             3: "二楼楼道的灯不亮了，晚上看不见台阶。",
             4: "The lift stops between floors.",
             5: "道路不平"}
    with app.app_context():
        for object_id, value in texts.items():
            search.index(db, "request", object_id, value)
        search.index(db, "meeting", 9, "楼道改造讨论会")
        db.commit()
    return texts


def found(app, db, query, kind="request"):
    with app.app_context():
        matches = search.search(db, kind, query)
    return None if matches is None else set(matches.ids)


def test_two_character_words_are_found(app, db, documents):
    assert found(app, db, "楼道") == {1, 3}
    assert found(app, db, "噪音") == {2}
    assert found(app, db, "楼道", kind="meeting") == {9}


def test_longer_words_must_appear_as_written(app, db, documents):
    assert found(app, db, "楼道的灯") == {3}
    assert found(app, db, "道楼") == set()
    assert found(app, db, "楼道 纸箱") == {1}  # every word
    assert found(app, db, "噪音 纸箱") == set()


def test_one_character_and_word_starts_are_prefixes(app, db, documents):
    assert found(app, db, "灯") == {3}
    assert found(app, db, "道") == {1, 3, 5}
    assert found(app, db, "LIF") == {4}


def test_nothing_to_search_for_is_none_and_odd_input_is_harmless(app, db, documents):
    assert found(app, db, "，。!!") is None
    assert found(app, db, "") is None
    assert found(app, db, '"楼道" OR kind : meeting') == set()
    assert found(app, db, "楼道' <-> '*:") == {1, 3}


def test_rewriting_and_forgetting_keep_the_index_in_step(app, db, documents):
    with app.app_context():
        search.index(db, "request", 2, "电梯坏了")
        search.forget(db, "request", 3)
        db.commit()
    assert found(app, db, "噪音") == set()
    assert found(app, db, "电梯") == {2}
    assert found(app, db, "楼道") == {1}
    assert db.query(SearchDocument).filter_by(kind="request").count() == 4


def test_the_newest_matches_are_kept_when_there_are_too_many(app, db):
    with app.app_context():
        for object_id in range(1, 8):
            search.index(db, "request", object_id, "楼道")
        db.commit()
        matches = search.search(db, "request", "楼道", limit=5)
    assert matches.ids == [7, 6, 5, 4, 3] and matches.more


def test_documents_loaded_in_bulk_are_found_and_the_index_keeps_up_after(app, db, documents):
    from sqlalchemy import insert

    with app.app_context():
        with search.bulk_documents(db, "request"):
            db.execute(insert(SearchDocument), [
                {"kind": "request", "object_id": 100 + n, "tokens": search.tokens("楼道漏水")}
                for n in range(3)])
        search.index(db, "request", 200, "电梯漏水")  # the row-by-row path works again
        search.index(db, "meeting", 201, "漏水维修会")
        db.commit()
    assert found(app, db, "漏水") == {100, 101, 102, 200}
    assert found(app, db, "楼道") == {1, 3, 100, 101, 102}
    assert found(app, db, "漏水", kind="meeting") == {201}
