"""lib.classifier.upload_limits and ui/upload_quota.py: what one upload may hold on the server, and how each file
past a bound is named with its reason instead of dropping out in silence."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from lib.classifier import upload_limits
from lib.classifier.image_io import MAX_BYTES
from lib.classifier.upload_limits import (
    FILE_BYTES,
    TAB_BYTES,
    TAB_MESSAGE,
    UploadEntry,
    left_out_type,
    markdown_literal,
    parse_left_out,
    plan_uploads,
    storage_verdict,
)
from ui.upload_quota import bound_add_file

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def test_camera_photos_fit_and_the_largest_batch_is_four_of_them():
    assert FILE_BYTES == MAX_BYTES >= 25 * MB  # camera and phone JPEGs are 8–15 MB
    assert TAB_BYTES == 4 * FILE_BYTES  # the bench's largest batch: four 25 MB files
    # A file between the per-image limit and the transfer limit reaches the server, so it can be named there.
    assert upload_limits.TRANSFER_MB * 2**20 > FILE_BYTES


def test_the_server_and_the_uploader_let_through_the_same_bytes_per_file():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == upload_limits.TRANSFER_MB
    assert f"Files over {upload_limits.TRANSFER_MB} MB are refused by your browser" in upload_limits.LIMITS_SENTENCE


@pytest.mark.parametrize(("held", "size", "verdict"), [
    (0, 25 * MB, None), (0, 25 * MB + 1, "file"), (75 * MB, 25 * MB, None), (75 * MB, 25 * MB + 1, "file"),
    (80 * MB, 20 * MB + 1, "tab"), (0, 0, None),
])
def test_the_store_keeps_a_file_only_within_both_bounds(held, size, verdict):
    assert storage_verdict(held, size) == verdict


@pytest.mark.parametrize("reason", ["file", "tab"])
def test_a_file_kept_without_its_bytes_says_why_and_how_large_it_was(reason):
    assert parse_left_out(left_out_type(reason, 31_415_926)) == (reason, 31_415_926)


@pytest.mark.parametrize("mime", [None, "", "image/jpeg", "application/x-lslab-left-out; reason=other; bytes=1",
                                  "application/x-lslab-left-out; reason=tab; bytes=12 ; image/png"])
def test_any_other_mime_type_is_a_file_stored_whole(mime):
    assert parse_left_out(mime) is None


def test_a_batch_within_the_bounds_is_classified_whole():
    plan = plan_uploads([UploadEntry(f"{i}.jpg", 24 * MB) for i in range(4)] + [UploadEntry("empty.png", 0)])
    assert plan.reasons == (None,) * 5 and plan.left_out == () and plan.note() is None


def test_files_past_the_tab_bound_are_left_out_by_name_and_the_ones_after_them_still_fit():
    sizes = {"a.jpg": 25 * MB, "b.jpg": 25 * MB, "c.jpg": 25 * MB, "d.jpg": 24 * MB, "e.jpg": 2 * MB, "f.jpg": MB}
    plan = plan_uploads([UploadEntry(name, size) for name, size in sizes.items()])
    assert plan.reasons[:4] == (None,) * 4 and plan.reasons[5] is None  # 25 + 25 + 25 + 24 + 1 = 100 MB
    assert plan.reasons[4] == TAB_MESSAGE.format(size="2.0 MB", limit=100)
    assert plan.left_out == ("e.jpg",)
    assert plan.note() == ("This upload is over the 100 MB its images may hold together, so 1 file was left out: "
                           "e\\.jpg. Remove some files (× beside each one), then add these again.")


def test_a_file_over_the_per_image_limit_gets_its_size_and_costs_the_batch_nothing():
    plan = plan_uploads([UploadEntry("pano.png", 30 * MB), UploadEntry("a.jpg", 25 * MB)], tab_bytes=25 * MB)
    assert plan.reasons == ("The file is 30.0 MB; the limit is 25 MB per image. Downscale or compress it and "
                            "upload it again.", None)
    assert plan.left_out == ()


def test_files_the_store_kept_without_bytes_are_named_with_the_stores_reason_and_their_real_size():
    entries = [UploadEntry("big.tif", 0, left_out_type("file", 40 * MB)),
               UploadEntry("late.jpg", 0, left_out_type("tab", 9_600_000)), UploadEntry("ok.jpg", 9_600_000)]
    plan = plan_uploads(entries)
    assert plan.reasons[0].startswith("The file is 40.0 MB; the limit is 25 MB per image.")
    assert plan.reasons[1] == TAB_MESSAGE.format(size="9.6 MB", limit=100)
    assert plan.reasons[2] is None and plan.left_out == ("late.jpg",)
    assert "2 files were left out" in plan_uploads(entries[1:2] * 2).note()


def test_names_in_the_note_show_verbatim_never_as_markdown():
    name = "*bold* [x](http://e.com) <b>`a`</b>\nb_c.jpg"
    assert markdown_literal(name) == r"\*bold\* \[x\]\(http\:\/\/e\.com\) \<b\>\`a\`\<\/b\> b\_c\.jpg"
    assert markdown_literal("ÄÖ 日本.jpg") == r"ÄÖ 日本\.jpg"


def rec(file_id: str, size: int) -> UploadedFileRec:
    return UploadedFileRec(file_id, f"{file_id}.jpg", "image/jpeg", bytes(size))


def test_the_store_keeps_at_most_the_tab_bound_per_session_and_marks_the_rest():
    manager = MemoryUploadedFileManager("/upload")
    bound_add_file(manager)
    for file_id in "abcd":
        manager.add_file("tab1", rec(file_id, 24 * MB))
    manager.add_file("tab1", rec("e", 24 * MB))  # 120 MB in all: this one goes past 100 MB
    manager.add_file("tab1", rec("huge", 30 * MB))  # over the per-image limit
    manager.add_file("tab2", rec("f", 24 * MB))  # another tab has its own room
    held = {file_id: len(r.data) for file_id, r in manager.file_storage["tab1"].items()}
    assert held == {"a": 24 * MB, "b": 24 * MB, "c": 24 * MB, "d": 24 * MB, "e": 0, "huge": 0}
    (e, huge) = manager.get_files("tab1", ["e", "huge"])
    assert (e.name, parse_left_out(e.type)) == ("e.jpg", ("tab", 24 * MB))
    assert parse_left_out(huge.type) == ("file", 30 * MB)
    assert len(manager.get_files("tab2", ["f"])[0].data) == 24 * MB
    # Removing a file (the × in the uploader) makes room again.
    manager.remove_file("tab1", "a")
    manager.add_file("tab1", rec("g", 24 * MB))
    assert len(manager.get_files("tab1", ["g"])[0].data) == 24 * MB


def test_a_file_sent_again_under_its_own_id_does_not_count_twice():
    manager = MemoryUploadedFileManager("/upload")
    bound_add_file(manager)
    for _ in range(5):
        manager.add_file("tab", rec("same", 60 * MB // 3))
    assert len(manager.get_files("tab", ["same"])[0].data) == 20 * MB


def test_files_the_browser_refused_are_named_with_their_size_and_anything_else_reported_is_ignored():
    from lib.classifier.upload_limits import TRANSFER_MB, refused_in_browser

    over = TRANSFER_MB * 2**20 + 1
    named = refused_in_browser([{"name": "RAW_0001.jpg", "size": 60_000_000}, {"name": "small.jpg", "size": 10},
                                {"name": "x" * 5000, "size": over}, {"name": 3, "size": over}, "junk",
                                {"name": "b.jpg", "size": True}, {"name": "c.jpg", "size": 10**30}])
    assert [name for name, _ in named] == ["RAW_0001.jpg", "x" * 200]
    assert named[0][1].startswith("Not sent: the file is 60.0 MB, and your browser refuses files over 50 MB")
    assert refused_in_browser({"name": "a"}) == [] and refused_in_browser(None) == []
    assert len(refused_in_browser([{"name": f"{i}.jpg", "size": over} for i in range(100)])) == 24
