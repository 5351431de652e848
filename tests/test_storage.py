"""Storage on real SQLite and PostgreSQL databases (see the `storage` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import literal, select, text
from sqlalchemy.exc import StatementError

from monitor.errors import StorageError
from monitor.storage import Storage, UpsertCounts
from monitor.storage.models import Base, SpikeRow, UTCDateTime
from monitor.types import Analysis, App, HourlyCount, Post, ScrapeResult, Spike, Storm

H0 = datetime(2019, 8, 30, 16, tzinfo=UTC)
APPS = (App("ZAO", ("ZAO", "逢脸造戏"), H0), App("Pintu", ("Pintu",)))


def post(
    ext: str, at: datetime = H0, text_: str = "ZAO 换脸", source: str = "weibo", **kw: object
) -> Post:
    return Post(source=source, external_id=ext, created_at=at, text=text_, **kw)  # type: ignore[arg-type]


def analysis(
    concerns: tuple[str, ...] = (),
    polarity: str = "neutral",
    sentiment: float = 0.5,
    apps: tuple[str, ...] = ("ZAO",),
    terms: tuple[str, ...] = (),
    version: str = "v1",
) -> Analysis:
    return Analysis(concerns, sentiment, polarity, apps, terms, version)


def pending(storage: Storage, version: str = "v1") -> list[tuple[int, str]]:
    return [row for batch in storage.iter_unanalyzed(version) for row in batch]


def analyse(storage: Storage, by_ext: dict[str, Analysis]) -> None:
    """Analyse pending posts whose text is their external id (see `post(..., text_=ext)`)."""
    storage.save_analyses([(pid, by_ext[txt]) for pid, txt in pending(storage) if txt in by_ext])


def storm(start: datetime, end: datetime | None = None, **kw: object) -> Storm:
    values: dict[str, object] = dict(
        app="ZAO", started_at=start, detected_at=start + timedelta(hours=2),
        peak_at=start + timedelta(hours=3), ended_at=end, posts=40, peak_hourly=12,
        concerns={"privacy": 30, "biometric": 12}, negative_share=0.7, severity=3.5,
    )
    values.update(kw)
    return Storm(**values)  # type: ignore[arg-type]


# -- schema ------------------------------------------------------------------------


def test_init_twice_and_ensure_current(db_url: str) -> None:
    store = Storage.open(db_url)
    try:
        with pytest.raises(StorageError, match=r"is not initialised; run `monitor init`"):
            store.ensure_current()
        store.init()
        store.init()
        store.ensure_current()
        assert store.stats() == dict(posts=0, analyzed=0, apps=0, storms_open=0, storms_total=0)
    finally:
        store.close()


def test_models_and_migrations_agree(storage: Storage) -> None:
    with storage.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_open_creates_folder_wal_and_foreign_keys(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/a/b/monitor.db"
    with Storage.open(url) as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unreachable_postgres_is_a_clean_error() -> None:
    with pytest.raises(StorageError, match="cannot open database at postgresql"):
        Storage.open("postgresql://nobody:secret@127.0.0.1:1/none")


# -- posts ---------------------------------------------------------------------------


def test_upsert_is_idempotent(storage: Storage) -> None:
    batch = [post("1"), post("2", text_="other"), post("3", H0 + timedelta(hours=1))]
    assert storage.upsert_posts(batch) == UpsertCounts(new=3, updated=0, unchanged=0)
    assert storage.upsert_posts(batch) == UpsertCounts(new=0, updated=0, unchanged=3)
    assert storage.stats()["posts"] == 3


def test_same_id_in_another_source_is_another_post(storage: Storage) -> None:
    counts = storage.upsert_posts([post("1"), post("1", source="rss-feed")])
    assert counts == UpsertCounts(new=2, updated=0, unchanged=0)


def test_changed_post_is_updated_and_reanalysed(storage: Storage) -> None:
    storage.sync_apps(APPS)
    storage.upsert_posts([post("1", text_="a", likes=1), post("2", text_="b")])
    analyse(storage, {"a": analysis(("privacy",)), "b": analysis()})
    assert storage.count_unanalyzed("v1") == 0
    counts = storage.upsert_posts([post("1", text_="a", likes=99), post("2", text_="b")])
    assert counts == UpsertCounts(new=0, updated=1, unchanged=1)
    assert [txt for _, txt in pending(storage)] == ["a"]
    assert storage.stats()["analyzed"] == 1
    storage.upsert_posts([post("1", text_="a edited", likes=99)])
    assert [txt for _, txt in pending(storage)] == ["a edited"]


def test_duplicate_key_within_batch_last_wins(storage: Storage) -> None:
    counts = storage.upsert_posts([post("1", text_="first"), post("2"), post("1", text_="second")])
    assert counts == UpsertCounts(new=2, updated=0, unchanged=0)
    assert sorted(txt for _, txt in pending(storage)) == ["ZAO 换脸", "second"]


def test_large_batch(storage: Storage) -> None:
    batch = [post(str(i), H0 + timedelta(minutes=i)) for i in range(1200)]
    assert storage.upsert_posts(batch).new == 1200
    liked = [post(str(i), H0 + timedelta(minutes=i), likes=1) for i in range(600, 1200)]
    changed = batch[:600] + liked
    assert storage.upsert_posts(changed) == UpsertCounts(new=0, updated=600, unchanged=600)


def test_utc_round_trip(storage: Storage) -> None:
    shanghai = timezone(timedelta(hours=8))
    early = datetime(2019, 8, 31, 0, 30, 15, 123456, tzinfo=shanghai)
    late = datetime(2019, 8, 31, 9, 0, tzinfo=UTC)
    storage.upsert_posts([post("1", early), post("2", late)])
    bounds = storage.data_bounds()
    assert bounds == (early, late)
    assert bounds[0].tzinfo == UTC and bounds[0].hour == 16 and bounds[0].microsecond == 123456
    with storage.engine.connect() as conn:
        query = text("SELECT created_hour FROM posts WHERE external_id = '1'")
        stored = conn.execute(query).scalar()
    assert str(stored).startswith("2019-08-30 16:00:00")


def test_naive_datetime_is_refused(storage: Storage) -> None:
    naive = datetime(2019, 8, 30, 16)
    with pytest.raises(StorageError, match="naive"):
        storage.upsert_posts([post("1", naive)])
    with pytest.raises(StorageError, match="naive"):
        storage.hourly_series("ZAO", since=naive)
    with pytest.raises(StorageError, match="naive"):
        storage.purge(naive)
    assert storage.data_bounds() is None
    with storage.engine.connect() as conn, pytest.raises(StatementError) as raised:
        conn.execute(select(literal(naive, UTCDateTime())))
    assert isinstance(raised.value.orig, StorageError)


# -- analyses and rollups --------------------------------------------------------------


def _seed_rollup_posts(storage: Storage) -> None:
    storage.sync_apps(APPS)
    h1 = H0 + timedelta(hours=1)
    storage.upsert_posts([
        post("a", H0 + timedelta(minutes=5), "a", likes=10, reposts=2),
        post("b", H0 + timedelta(minutes=50), "b", comments=3),
        post("c", H0 + timedelta(minutes=59), "c"),
        post("d", h1 + timedelta(minutes=1), "d", likes=1),
        post("e", h1, "e"),
    ])
    analyse(storage, {
        "a": analysis(("privacy", "biometric"), "negative", 0.1, terms=("用户协议", "人脸")),
        "b": analysis(("privacy",), "negative", 0.2, apps=("ZAO", "Pintu"), terms=("用户协议",)),
        "c": analysis((), "positive", 0.9, apps=("ZAO", "NoSuchApp")),
        "d": analysis(("fraud",), "neutral", 0.5),
        "e": analysis((), "neutral", 0.5, apps=()),
    })


def _series(storage: Storage, app: str = "ZAO") -> dict[tuple[datetime, str], HourlyCount]:
    return {(row.hour, row.concern): row for row in storage.hourly_series(app)}


def test_rollups_count_all_any_and_each_concern(storage: Storage) -> None:
    _seed_rollup_posts(storage)
    assert storage.count_unanalyzed("v1") == 0
    written = storage.refresh_rollups()
    series = _series(storage)
    assert written == len(series) + len(_series(storage, "Pintu"))
    h1 = H0 + timedelta(hours=1)
    all0 = series[(H0, "all")]
    assert (all0.posts, all0.negative, all0.engagement) == (3, 2, 15)
    assert all0.sentiment_sum == pytest.approx(1.2)
    assert (series[(H0, "any")].posts, series[(H0, "any")].engagement) == (2, 15)
    assert series[(H0, "privacy")].posts == 2
    assert (series[(H0, "biometric")].posts, series[(H0, "biometric")].engagement) == (1, 12)
    assert (H0, "fraud") not in series and (H0, "regulatory") not in series
    assert [(r.concern, r.posts) for r in storage.hourly_series("ZAO", since=h1)] == [
        ("all", 1), ("any", 1), ("fraud", 1)
    ]
    assert [r.concern for r in storage.hourly_series("ZAO", until=h1)][:2] == ["all", "any"]
    pintu = _series(storage, "Pintu")
    assert set(pintu) == {(H0, "all"), (H0, "any"), (H0, "privacy")}
    assert storage.hourly_series("NoSuchApp") == []


def test_watermark_limits_refresh_to_later_hours(storage: Storage) -> None:
    _seed_rollup_posts(storage)
    assert storage.refresh_rollups() > 0
    assert storage.refresh_rollups() == 0
    h5 = H0 + timedelta(hours=5)
    storage.upsert_posts([post("f", h5, "f"), post("g", h5, "g")])
    analyse(storage, {"f": analysis(("security",), "negative"), "g": analysis()})
    with storage.engine.begin() as conn:  # a marker that a full recompute would erase
        conn.execute(text("UPDATE hourly_rollups SET posts = 99 WHERE concern = 'all'"))
    assert storage.refresh_rollups() == 3  # h5: all, any, security
    series = _series(storage)
    assert series[(H0, "all")].posts == 99
    assert (series[(h5, "all")].posts, series[(h5, "security")].negative) == (2, 1)
    storage.upsert_posts([post("a", H0 + timedelta(minutes=5), "a", likes=11, reposts=2)])
    assert series[(H0, "all")].posts == 99
    analyse(storage, {"a": analysis(("privacy",), "negative")})
    storage.refresh_rollups()
    series = _series(storage)
    assert series[(H0, "all")].posts == 3 and series[(H0, "all")].engagement == 16
    assert (H0, "biometric") not in series


def test_iter_unanalyzed_pages_by_id_while_saving(storage: Storage) -> None:
    storage.upsert_posts([post(str(i), text_=f"t{i}") for i in range(7)])
    seen: list[int] = []
    for batch in storage.iter_unanalyzed("v1", batch_size=3):
        assert len(batch) <= 3
        seen += [pid for pid, _ in batch]
        storage.save_analyses([(pid, analysis()) for pid, _ in batch])
    assert len(seen) == len(set(seen)) == 7 and seen == sorted(seen)
    assert storage.count_unanalyzed("v1") == 0
    assert storage.count_unanalyzed("v2") == 7


# -- storms, spikes, retention ------------------------------------------------------------


def test_save_storms_upserts_and_alerts_once(storage: Storage) -> None:
    _seed_rollup_posts(storage)
    first = storm(H0)
    events = storage.save_storms("ZAO", [first])
    assert [(e.kind, e.concern, e.data_time) for e in events] == [("open", None, first.detected_at)]
    assert storage.save_storms("ZAO", [first]) == []
    regulatory = (H0 + timedelta(hours=30), "regulatory")
    shifted = storm(H0 - timedelta(hours=1), escalations=(regulatory,), posts=80)
    events = storage.save_storms("ZAO", [shifted])
    assert [(e.kind, e.concern, e.data_time) for e in events] == [
        ("escalate", "regulatory", regulatory[0])
    ]
    closed = storm(H0 - timedelta(hours=1), H0 + timedelta(hours=40), escalations=(regulatory,))
    events = storage.save_storms("ZAO", [closed])
    assert [(e.kind, e.app, e.storm) for e in events] == [("close", "ZAO", closed)]
    assert storage.save_storms("ZAO", [closed]) == []
    [stored] = storage.list_storms("ZAO")
    assert stored.storm == closed and stored.storm.status == "closed"
    assert stored.id == events[0].storm_id
    assert stored.top_terms == ("用户协议", "人脸")
    assert stored.sample_post_ids == ("a", "b", "d")
    assert storage.stats()["storms_total"] == 1 and storage.stats()["storms_open"] == 0


def test_separate_storms_are_kept_apart(storage: Storage) -> None:
    storage.sync_apps(APPS)
    later = H0 + timedelta(days=5)
    storage.save_storms("ZAO", [storm(H0, H0 + timedelta(hours=10))])
    events = storage.save_storms("ZAO", [storm(H0, H0 + timedelta(hours=10)), storm(later)])
    assert [e.kind for e in events] == ["open"]
    assert [s.storm.started_at for s in storage.list_storms()] == [H0, later]
    assert storage.list_storms("Pintu") == []
    assert storage.stats()["storms_open"] == 1
    with pytest.raises(StorageError, match="unknown app"):
        storage.save_storms("NoSuchApp", [storm(H0, app="NoSuchApp")])


def test_save_spikes_upserts_by_hour(storage: Storage) -> None:
    storage.sync_apps(APPS)
    storage.save_spikes("ZAO", [Spike("ZAO", H0, 10, 1.5, 5.0)])
    later = Spike("ZAO", H0 + timedelta(hours=1), 3, 1.0, 2.0)
    storage.save_spikes("ZAO", [Spike("ZAO", H0, 12, 1.5, 6.0), later])
    with storage.engine.connect() as conn:
        rows = conn.execute(select(SpikeRow.observed).order_by(SpikeRow.hour)).scalars().all()
    assert rows == [12, 3]


def test_purge_deletes_old_posts_with_analyses(storage: Storage) -> None:
    _seed_rollup_posts(storage)
    cutoff = H0 + timedelta(minutes=55)
    assert storage.purge(cutoff) == 2
    assert storage.stats()["posts"] == 3 and storage.stats()["analyzed"] == 3
    with storage.engine.connect() as conn:
        mentions = conn.execute(text("SELECT count(*) FROM post_apps")).scalar()
    assert mentions == 2  # c (ZAO) and d (ZAO); e mentions no app
    assert storage.purge(cutoff) == 0


def test_cursors_state_and_scrape_runs(storage: Storage) -> None:
    source = storage.ensure_source("weibo-search", "weibo-search")
    assert storage.ensure_source("weibo-search", "weibo-search") == source
    assert storage.get_cursor("weibo-search", "q:ZAO") is None
    storage.set_cursor("weibo-search", "q:ZAO", "100")
    storage.set_cursor("weibo-search", "q:ZAO", "200")
    assert storage.get_cursor("weibo-search", "q:ZAO") == "200"
    with pytest.raises(StorageError, match="unknown source"):
        storage.set_cursor("nope", "k", "v")
    ok = ScrapeResult("weibo-search", pages=2, new=5)
    storage.record_scrape_run(ok, H0, H0 + timedelta(minutes=1))
    result = ScrapeResult("weibo-search", pages=1, errors=("HTTP 418",), complete=False)
    run_id = storage.record_scrape_run(result, H0 + timedelta(hours=1), throttled_seconds=30.0)
    [last] = storage.last_scrape_runs()
    assert (last.id, last.status, last.errors) == (run_id, "partial", ("HTTP 418",))
    assert last.throttled_seconds == 30.0 and not last.complete
    storage.set_state("detected_until", "2019-08-30T17:00:00+00:00")
    assert storage.get_state("detected_until") == "2019-08-30T17:00:00+00:00"
    storage.upsert_posts([post("1", source="imported")])
    imported = storage.ensure_source("imported", "rss")
    with storage.engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT name, kind FROM sources")).all())
    assert kinds == {"weibo-search": "weibo-search", "imported": "rss"}
    assert imported != source
