"""fusionlab.data: loaders on fixtures in the upstream formats, through the real code path
(registry -> verified download -> member-by-member extraction -> NumPy parsing); error cases
leave the cache clean. No test touches the network (conftest sets FUSIONLAB_OFFLINE=1)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from fusionlab.data import (
    CacheNotWritable,
    DatasetCorrupt,
    DatasetUnavailable,
    __main__ as cli,
    fetch,
    load_cifar10,
    load_digits_images,
    load_image_dataset,
    load_movielens_100k,
    load_movielens_100k_folds,
    load_ratings_dataset,
    make_synthetic_ratings,
)
from fusionlab.recsys import matrix_from_ratings
from data_fixtures import CIFAR_CLASSES, make_cifar10_archive, make_movielens_archive, point_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("FUSIONLAB_DATA", str(folder))
    return folder


@pytest.fixture
def cifar_fixture(tmp_path, monkeypatch):
    source = tmp_path / "mirror"
    source.mkdir()
    archive, expected = make_cifar10_archive(source)
    point_registry(monkeypatch, "cifar10", archive)
    return archive, expected


@pytest.fixture
def movielens_fixture(tmp_path, monkeypatch):
    source = tmp_path / "mirror-ml"
    source.mkdir()
    archive, table = make_movielens_archive(source)
    point_registry(monkeypatch, "movielens-100k", archive)
    return archive, table


def dataset_files(folder: Path) -> list[str]:
    """Everything in the cache except lock files."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if ".locks" not in p.parts)


# --- CIFAR-10 --------------------------------------------------------------------------------


def test_cifar10_loads_through_the_registry_with_the_binary_layout(cache, cifar_fixture):
    _, expected = cifar_fixture
    dataset = load_cifar10()
    assert dataset.X_train.shape == (60, 32, 32, 3) and dataset.X_train.dtype == np.uint8
    assert dataset.X_test.shape == (12, 32, 32, 3) and dataset.y_test.dtype == np.int64
    np.testing.assert_array_equal(dataset.X_train[:12], expected["data_batch_1"][0])
    np.testing.assert_array_equal(dataset.X_train[48:], expected["data_batch_5"][0])
    np.testing.assert_array_equal(dataset.y_train[12:24], expected["data_batch_2"][1])
    np.testing.assert_array_equal(dataset.X_test, expected["test_batch"][0])
    assert dataset.class_names == CIFAR_CLASSES and dataset.name == "CIFAR-10" and not dataset.is_stand_in
    assert sorted(p.name for p in (cache / "cifar-10-batches-bin").iterdir()) == sorted(
        [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin", "batches.meta.txt", "readme.html"]
    )


def test_cifar10_pixel_layout_is_red_green_blue_planes_row_major(cache, tmp_path, monkeypatch):
    # One hand-made record: pixel (row 0, col 1) is pure green, pixel (row 1, col 0) pure blue.
    record = np.zeros(3073, dtype=np.uint8)
    record[0] = 7
    record[1 + 1024 + 1] = 255  # green plane, row 0, column 1
    record[1 + 2048 + 32] = 200  # blue plane, row 1, column 0
    from fusionlab.data import read_cifar10_batch

    path = tmp_path / "one.bin"
    record.tofile(path)
    images, labels = read_cifar10_batch(path)
    assert labels.tolist() == [7]
    assert images[0, 0, 1].tolist() == [0, 255, 0] and images[0, 1, 0].tolist() == [0, 0, 200]


def test_a_batch_that_is_not_whole_records_is_rejected(tmp_path):
    from fusionlab.data import read_cifar10_batch

    path = tmp_path / "bad.bin"
    np.zeros(3073 + 5, dtype=np.uint8).tofile(path)
    with pytest.raises(DatasetCorrupt, match=r"not a whole number of 3073-byte records"):
        read_cifar10_batch(path)


def test_notebook_helper_prefers_cached_cifar10(cache, cifar_fixture, capsys):
    load_cifar10()  # fill the cache
    dataset = load_image_dataset("cifar10")
    assert dataset.name == "CIFAR-10" and "Using the real dataset" in capsys.readouterr().out


def test_notebook_helper_names_the_stand_in_when_cifar10_is_absent(cache, capsys):
    dataset = load_image_dataset("cifar10", stand_in_shape=(32, 32, 3))
    out = capsys.readouterr().out
    assert dataset.is_stand_in and dataset.name == "digits (stand-in for CIFAR-10)"
    assert "stand-in" in out and "python -m fusionlab.data download cifar10" in out and str(cache) in out
    assert dataset.X_train.shape[1:] == (32, 32, 3) and dataset.X_train.dtype == np.uint8
    assert not cache.exists() or dataset_files(cache) == [], "the fallback must not write into the cache"


def test_digits_images_are_uint8_stratified_and_seeded():
    first, second = load_digits_images(random_state=1), load_digits_images(random_state=1)
    assert first.X_train.shape == (1347, 8, 8, 1) and first.X_test.shape == (450, 8, 8, 1)
    assert first.X_train.dtype == np.uint8 and first.X_train.max() == 255
    np.testing.assert_array_equal(first.X_test, second.X_test)
    assert np.bincount(first.y_test).min() >= 43  # stratified: every class near 45 of 450
    subset = first.subset(n_train=100, n_test=50, random_state=0)
    assert subset.X_train.shape[0] == 100 and subset.X_test.shape[0] == 50
    with pytest.raises(ValueError, match=r"n_train must be an int in \[1, 1347\]; got n_train=5000"):
        first.subset(n_train=5000)


# --- MovieLens-100K --------------------------------------------------------------------------


def test_movielens_loads_ratings_titles_and_genres(cache, movielens_fixture):
    _, table = movielens_fixture
    ratings = load_movielens_100k()
    assert (ratings.n_users, ratings.n_items, len(ratings)) == (30, 40, 400)
    np.testing.assert_array_equal(ratings.user_ids, table[:, 0] - 1)
    np.testing.assert_array_equal(ratings.item_ids, table[:, 1] - 1)
    np.testing.assert_array_equal(ratings.ratings, table[:, 2].astype(float))
    assert ratings.item_titles[0] == "Café au lait (1994)"  # Latin-1 decoded
    assert ratings.item_genres.shape == (40, 19) and ratings.genre_names[1] == "Action"
    matrix = matrix_from_ratings(ratings)
    assert matrix.shape == (30, 40) and matrix.nnz == 400


def test_movielens_official_folds_partition_the_ratings(cache, movielens_fixture):
    _, table = movielens_fixture
    folds = load_movielens_100k_folds()
    assert len(folds) == 5
    assert sum(len(test) for _, test in folds) == len(table)
    for train, test in folds:
        assert len(train) + len(test) == len(table) and train.n_users == 30


def test_notebook_helper_names_the_ratings_stand_in(cache, capsys):
    ratings = load_ratings_dataset()
    out = capsys.readouterr().out
    assert ratings.is_stand_in and "stand-in" in out and "python -m fusionlab.data download movielens-100k" in out


# --- synthetic ratings -----------------------------------------------------------------------


def test_synthetic_ratings_have_the_shape_of_movielens_100k():
    ratings = make_synthetic_ratings(random_state=0)
    assert (ratings.n_users, ratings.n_items, len(ratings)) == (943, 1682, 100_000)
    assert set(np.unique(ratings.ratings)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert abs(ratings.ratings.mean() - 3.53) < 0.01  # the star shares are MovieLens-100K's
    codes = ratings.user_ids * ratings.n_items + ratings.item_ids
    assert len(np.unique(codes)) == len(codes), "each (user, item) pair is rated once"
    popularity = np.sort(np.bincount(ratings.item_ids, minlength=1682))[::-1]
    assert popularity[:168].sum() > 0.3 * len(ratings), "the top 10% of items draw over 30% of ratings"


def test_synthetic_ratings_carry_their_planted_structure():
    from scipy.stats import norm

    ratings = make_synthetic_ratings(n_users=200, n_items=300, n_ratings=20_000, rank=4, noise_std=0.3, random_state=5)
    u, i = ratings.user_ids, ratings.item_ids
    latent = ratings.user_bias[u] + ratings.item_bias[i] + np.sum(ratings.user_factors[u] * ratings.item_factors[i], axis=1)
    expected_stars = 1 + sum(norm.cdf((latent - t) / ratings.noise_std) for t in ratings.thresholds)
    np.testing.assert_allclose(ratings.clean_scores, expected_stars, rtol=1e-12)
    assert ratings.oracle_rmse == pytest.approx(np.sqrt(np.mean((ratings.ratings - expected_stars) ** 2)))
    assert ratings.global_mean == pytest.approx(ratings.ratings.mean())
    # The planted scores explain the ratings far better than the global mean does.
    assert ratings.oracle_rmse < 0.75 * np.std(ratings.ratings)
    # Higher latent scores get more stars: the thresholds cut the noisy latent in order.
    assert np.all(np.diff(ratings.thresholds) > 0)
    assert np.corrcoef(latent, ratings.ratings)[0, 1] > 0.8
    with pytest.raises(ValueError, match=r"star_shares must be 5 positive shares of 1-5 stars summing to 1"):
        make_synthetic_ratings(n_ratings=1000, star_shares=(0.5, 0.5))


def test_synthetic_ratings_fit_small_shapes():
    """Fewer ratings than 20 per user: every user still gets the same minimum, and sizes add up."""
    ratings = make_synthetic_ratings(n_users=30, n_items=20, n_ratings=200, random_state=1)
    per_user = np.bincount(ratings.user_ids, minlength=30)
    assert len(ratings) == 200 and per_user.min() >= 200 // 30 and per_user.max() <= 20
    assert matrix_from_ratings(ratings).nnz == 200


def test_synthetic_ratings_repeat_with_a_seed_and_scale_without_a_dense_matrix():
    a, b = make_synthetic_ratings(n_ratings=5_000, random_state=3), make_synthetic_ratings(n_ratings=5_000, random_state=3)
    np.testing.assert_array_equal(a.ratings, b.ratings)
    np.testing.assert_array_equal(a.item_ids, b.item_ids)
    big = make_synthetic_ratings(n_users=100_000, n_items=20_000, n_ratings=300_000, random_state=0)
    assert len(big) == 300_000 and matrix_from_ratings(big).nnz == 300_000  # 2e9 cells never materialised
    assert np.bincount(big.user_ids).min() == 3  # min(20, 300,000 // 100,000)


def test_synthetic_ratings_reject_impossible_sizes():
    with pytest.raises(ValueError, match=r"n_ratings must be an int in \[1, 50\]; got n_ratings=60\. Ask for fewer"):
        make_synthetic_ratings(n_users=10, n_items=10, n_ratings=60)
    with pytest.raises(ValueError, match=r"rank must be an int in \[1, 5\]"):
        make_synthetic_ratings(n_users=5, n_items=10, n_ratings=10, rank=6)


# --- bad input and failure modes: clear errors, clean cache -----------------------------------


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match=r"dataset must be one of \['cifar10', 'movielens-100k'\]; got dataset='cifar100'\. Run `python -m fusionlab.data list`"):
        fetch("cifar100")


def test_offline_with_an_empty_cache_names_dataset_path_and_command(cache):
    with pytest.raises(DatasetUnavailable) as info:
        load_cifar10()
    message = str(info.value)
    assert "cifar10" in message and str(cache / "cifar-10-binary.tar.gz") in message
    assert "FUSIONLAB_OFFLINE" in message and "python -m fusionlab.data download cifar10" in message
    assert dataset_files(cache) == []


def test_unreachable_server_gives_dataset_unavailable_and_a_clean_cache(cache, monkeypatch, tmp_path):
    point_registry(monkeypatch, "movielens-100k", make_movielens_archive(tmp_path)[0])
    from dataclasses import replace
    from fusionlab.data import registry

    missing = replace(registry.REGISTRY["movielens-100k"], url=(tmp_path / "gone.zip").as_uri())
    monkeypatch.setitem(registry.REGISTRY, "movielens-100k", missing)
    with pytest.raises(DatasetUnavailable, match=r"could not be downloaded from file://.*gone\.zip"):
        fetch("movielens-100k")
    assert dataset_files(cache) == []


def test_wrong_checksum_is_rejected_and_nothing_is_cached(cache, tmp_path, monkeypatch):
    archive, _ = make_cifar10_archive(tmp_path)
    point_registry(monkeypatch, "cifar10", archive, md5="0" * 32)
    with pytest.raises(DatasetCorrupt, match=r"download from file://.* was rejected and deleted: its MD5 is [0-9a-f]{32} but the registry expects 0{32}"):
        load_cifar10()
    assert dataset_files(cache) == []


def test_truncated_download_is_rejected_by_size(cache, tmp_path, monkeypatch):
    archive, _ = make_cifar10_archive(tmp_path)
    full_size = archive.stat().st_size
    archive.write_bytes(archive.read_bytes()[: full_size // 2])
    point_registry(monkeypatch, "cifar10", archive, size=full_size)
    with pytest.raises(DatasetCorrupt, match=rf"has {full_size // 2:,} bytes but the registry expects {full_size:,} \(truncated"):
        fetch("cifar10")
    assert dataset_files(cache) == []


def test_truncated_archive_with_matching_checksum_fails_extraction_cleanly(cache, tmp_path, monkeypatch):
    archive, _ = make_cifar10_archive(tmp_path)
    archive.write_bytes(archive.read_bytes()[:-200])  # registry agrees with the damaged file
    point_registry(monkeypatch, "cifar10", archive)
    with pytest.raises(DatasetCorrupt, match=r"cifar10: the archive .* could not be read"):
        load_cifar10()
    assert dataset_files(cache) == ["cifar-10-binary.tar.gz"], "no half-extracted folder is left"


def test_archive_member_escaping_the_cache_is_refused(cache, tmp_path, monkeypatch):
    archive, _ = make_cifar10_archive(tmp_path, extra_members=[("../escape.txt", b"owned")])
    point_registry(monkeypatch, "cifar10", archive)
    with pytest.raises(DatasetCorrupt, match=r"member '\.\./escape\.txt' points outside the cache"):
        load_cifar10()
    assert not (cache.parent / "escape.txt").exists() and not (cache / "cifar-10-batches-bin").exists()


def test_symlink_member_is_refused(cache, tmp_path, monkeypatch):
    archive, _ = make_cifar10_archive(tmp_path)
    with tarfile.open(archive, "r:gz") as original:
        members = [(m, original.extractfile(m).read() if m.isfile() else None) for m in original.getmembers()]
    with tarfile.open(archive, "w:gz") as rewritten:
        for member, payload in members:
            rewritten.addfile(member, None if payload is None else __import__("io").BytesIO(payload))
        link = tarfile.TarInfo("cifar-10-batches-bin/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        rewritten.addfile(link)
    point_registry(monkeypatch, "cifar10", archive)
    with pytest.raises(DatasetCorrupt, match=r"member 'cifar-10-batches-bin/link' is not a regular file"):
        load_cifar10()


def test_a_corrupted_cached_file_is_reported_not_used(cache, cifar_fixture):
    path = fetch("cifar10")
    payload = bytearray(path.read_bytes())
    payload[len(payload) // 2] ^= 0xFF  # same size, one byte flipped
    path.write_bytes(bytes(payload))
    with pytest.raises(DatasetCorrupt, match=r"the cached file .* is not valid: its MD5 is .*Delete it and run"):
        fetch("cifar10")


def test_unwritable_cache_directory(tmp_path, monkeypatch, cifar_fixture):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FUSIONLAB_DATA", str(blocker / "cache"))
    with pytest.raises(CacheNotWritable, match=r"The dataset cache .*a-file/cache cannot be written.*Set FUSIONLAB_DATA to a folder you can write"):
        fetch("cifar10")


def test_two_processes_fetching_at_once_leave_one_valid_file(cache, cifar_fixture):
    archive, _ = cifar_fixture
    import hashlib

    script = textwrap.dedent(f"""
        import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]
        from dataclasses import replace
        from fusionlab.data import registry, load_cifar10
        registry.REGISTRY["cifar10"] = replace(registry.REGISTRY["cifar10"], url={archive.as_uri()!r},
            size={archive.stat().st_size}, md5={hashlib.md5(archive.read_bytes()).hexdigest()!r})
        print(load_cifar10().X_train.shape)
    """)
    workers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert all("(60, 32, 32, 3)" in out for out, _ in outputs)
    assert dataset_files(cache)[0] == "cifar-10-batches-bin" and "cifar-10-binary.tar.gz" in dataset_files(cache)
    assert not [f for f in dataset_files(cache) if f.startswith(".")], "no partial files or staging folders remain"


# --- command line ------------------------------------------------------------------------------


def test_cli_list_download_and_path(cache, cifar_fixture, capsys):
    assert cli.main(["list"]) == 0
    assert "cifar10" in capsys.readouterr().out
    assert cli.main(["download", "cifar10"]) == 0
    assert "cifar10: ready in" in capsys.readouterr().out
    listing = capsys.readouterr().out if cli.main(["list"]) == 0 else ""
    assert "cifar10" in listing and "available" in listing and "complete extracted folder" in listing
    assert cli.main(["path"]) == 0 and capsys.readouterr().out.strip() == str(cache)


def test_cli_download_reports_errors_and_exits_non_zero(cache, capsys):
    assert cli.main(["download", "imagenet"]) == 1
    assert "dataset must be one of" in capsys.readouterr().err
    assert cli.main(["download", "all"]) == 1  # offline in the tests: both unavailable
    err = capsys.readouterr().err
    assert err.count("error:") == 2 and dataset_files(cache) == []


# --- one definition of "available" ------------------------------------------------------------


def test_available_means_a_verified_archive_or_a_complete_extracted_folder(cache, cifar_fixture):
    from fusionlab.data import availability, is_available

    assert not is_available("cifar10")
    state = availability("cifar10")
    assert "python -m fusionlab.data download cifar10" in state.reason and state.folder is None
    fetch("cifar10")  # the verified archive only
    state = availability("cifar10")
    assert state.available and state.folder is None and state.reason.startswith("verified archive")
    folder = load_cifar10() and cache / "cifar-10-batches-bin"  # extracts
    (cache / "cifar-10-binary.tar.gz").unlink()
    state = availability("cifar10")
    assert state.available and state.folder == folder and state.archive is None
    assert load_cifar10(download=False).X_train.shape == (60, 32, 32, 3)  # the loaders agree
    (folder / "test_batch.bin").unlink()  # an incomplete folder is not available
    state = availability("cifar10")
    assert not state.available and "lacks ['test_batch.bin']" in state.reason


def test_a_corrupt_archive_does_not_make_a_dataset_available(cache, cifar_fixture):
    from fusionlab.data import availability

    cache.mkdir()
    (cache / "cifar-10-binary.tar.gz").write_bytes(b"not an archive")
    state = availability("cifar10")
    assert not state.available and "is not valid" in state.reason and "download cifar10" in state.reason


def test_require_available_and_check_name_every_missing_dataset(cache, capsys):
    from fusionlab.data import require_available

    with pytest.raises(DatasetUnavailable, match=r"(?s)not available.*download cifar10.*download movielens-100k"):
        require_available(["cifar10", "movielens-100k"])
    assert cli.main(["check", "all"]) == 1
    err = capsys.readouterr().err
    assert "python -m fusionlab.data download cifar10" in err and "python -m fusionlab.data download movielens-100k" in err
    assert cli.main(["check", "imagenet"]) == 2


def test_check_passes_on_extracted_folders(cache, cifar_fixture, movielens_fixture, capsys):
    load_cifar10(), load_movielens_100k()
    assert cli.main(["check", "all"]) == 0
    assert capsys.readouterr().out.count(": available (") == 2


def test_provenance_digests_the_files_read_and_names_the_archive(cache, movielens_fixture):
    from fusionlab.data import provenance

    archive, _ = movielens_fixture
    load_movielens_100k()  # archive + extracted folder
    with_archive = provenance("movielens-100k")
    from fusionlab.data.registry import REGISTRY

    assert with_archive["checksum"] == f"md5:{REGISTRY['movielens-100k'].md5}" and "MD5 verified" in with_archive["note"]
    (cache / "ml-100k.zip").unlink()
    folder_only = provenance("movielens-100k")
    assert folder_only["checksum"] is None and "without the official archive" in folder_only["note"]
    assert folder_only["content_sha256"] == with_archive["content_sha256"]  # same files read
    assert provenance("movielens-100k", folder=cache / "ml-100k")["content_sha256"] == folder_only["content_sha256"]
    (cache / "ml-100k" / "u.data").write_text("1\t1\t5\t0\n")
    assert provenance("movielens-100k")["content_sha256"] != folder_only["content_sha256"]


def test_stand_ins_are_refused_when_real_data_is_required(cache, monkeypatch):
    monkeypatch.setenv("FUSIONLAB_REQUIRE_REAL_DATA", "1")
    with pytest.raises(DatasetUnavailable, match=r"MovieLens-100K is required .*stand-ins are off.*download movielens-100k"):
        load_ratings_dataset()
    with pytest.raises(DatasetUnavailable, match=r"CIFAR-10 is required"):
        load_image_dataset("cifar10")
    assert load_image_dataset("digits", verbose=False).name == "digits"  # asked for by name: not a stand-in


def test_preferring_the_stand_in_is_allowed_and_announced(capsys):
    ratings = load_ratings_dataset("synthetic")
    images = load_image_dataset("digits")
    assert not ratings.is_stand_in and not images.is_stand_in and images.name == "digits"
    assert capsys.readouterr().out.count("Using ") == 2
    with pytest.raises(ValueError, match=r"prefer must be one of \['movielens-100k', 'synthetic'\]; got prefer='netflix'"):
        load_ratings_dataset("netflix")
    with pytest.raises(ValueError, match=r"prefer must be one of \['cifar10', 'digits'\]; got prefer='mnist'"):
        load_image_dataset("mnist")


@pytest.fixture
def http_mirror(tmp_path, monkeypatch):
    """Serve a folder over HTTP on the loopback interface, the way the real servers are used."""
    import functools
    import http.server
    import threading

    folder = tmp_path / "http"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.delenv("FUSIONLAB_OFFLINE")  # loopback only: nothing leaves this machine
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_over_http_with_pooch_then_verify_and_load(cache, http_mirror, monkeypatch, capsys):
    from dataclasses import replace

    from fusionlab.data import registry

    folder, base_url = http_mirror
    archive, expected = make_cifar10_archive(folder)
    entry = point_registry(monkeypatch, "cifar10", archive)
    monkeypatch.setitem(registry.REGISTRY, "cifar10", replace(entry, url=f"{base_url}/{archive.name}"))
    assert cli.main(["download", "cifar10"]) == 0
    np.testing.assert_array_equal(load_cifar10(download=False).X_test, expected["test_batch"][0])
    assert "cifar10: ready in" in capsys.readouterr().out


def test_http_404_is_unavailable_and_leaves_the_cache_clean(cache, http_mirror, monkeypatch):
    from dataclasses import replace

    from fusionlab.data import registry

    _, base_url = http_mirror
    monkeypatch.setitem(registry.REGISTRY, "movielens-100k", replace(registry.REGISTRY["movielens-100k"], url=f"{base_url}/missing.zip"))
    with pytest.raises(DatasetUnavailable, match=r"movielens-100k could not be downloaded from http://127\.0\.0\.1:\d+/missing\.zip \(.*404"):
        fetch("movielens-100k")
    assert dataset_files(cache) == []


# --- real data (python3 tasks.py test --real-data) ---------------------------------------------


@pytest.mark.real_data
def test_the_real_datasets_load_from_the_cache():
    cifar = load_cifar10(download=False)
    assert (cifar.X_train.shape, cifar.X_test.shape) == ((50_000, 32, 32, 3), (10_000, 32, 32, 3))
    assert np.bincount(cifar.y_test).tolist() == [1_000] * 10 and not cifar.is_stand_in
    movielens = load_movielens_100k(download=False)
    assert (movielens.n_users, movielens.n_items, len(movielens)) == (943, 1682, 100_000)
    folds = load_movielens_100k_folds(download=False)
    assert [len(test) for _, test in folds] == [20_000] * 5
