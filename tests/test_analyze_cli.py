"""`monitor analyze` as a process: the JSONL contract at scale, on one and two workers.

One output line per input line, in input order, whatever the input holds: an empty
line, a line of several megabytes, binary garbage and broken UTF-8 each give an error
record in place, and the lines after them are analyzed as usual.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.nlp.analyzer import MAX_LINE_BYTES, MAX_TEXT_CHARS

REPO = Path(__file__).resolve().parents[1]
POSTS = [
    "ZAO的用户协议写着永久、不可撤销的授权，太可怕了，赶紧卸载",
    "逢脸造戏真好玩[哈哈]",
    "工信部约谈ZAO，要求整改",
    "接到冒充客服的电话，让我转账到安全账户，是骗子",
    "今天天气真好，出去玩！",
    "刷脸支付会不会被换脸骗过？人脸数据泄露怎么办",
    "拼图岛要读取通讯录，凭什么",
]


def monitor(*args: str, stdin: bytes | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, timeout=600)


def line(i: int, text: str) -> bytes:
    return json.dumps({"id": i, "text": text}, ensure_ascii=False).encode() + b"\n"


@pytest.fixture(scope="module")
def bad_input(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, str]]:
    """1,300 good lines with bad ones among them; the bad lines' numbers and reasons."""
    lines: list[bytes] = [line(i, POSTS[i % len(POSTS)]) for i in range(1, 1301)]
    bad = {
        3: (b"\n", "empty line"),
        600: (b'{"id": "huge", "text": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n', "line is too long"),
        601: (os.urandom(2000).replace(b"\n", b"?") + b"\n", ""),  # binary garbage
        700: (b'{"id": "utf", "text": "\xe4\xbd\xa0\xff\xfe"}\n', "not valid UTF-8"),
        701: (b"\xc3\x28\n", "not valid UTF-8"),
        900: (json.dumps({"id": "long", "text": "长" * (MAX_TEXT_CHARS + 1)}).encode() + b"\n", "too long"),
        901: (b'{"id": "nul", "text": "\x00\x01"}\n', "not valid JSON"),
        1000: (b"[1, 2, 3]\n", "expected a JSON object"),
    }
    for number, (content, _) in bad.items():
        lines[number - 1] = content
    lines[-1] = lines[-1].rstrip(b"\n")  # the last line has no line end
    path = tmp_path_factory.mktemp("analyze") / "posts.jsonl"
    path.write_bytes(b"".join(lines))
    return path, {number: reason for number, (_, reason) in bad.items()}


@pytest.fixture(scope="module")
def one_worker(bad_input: tuple[Path, dict[int, str]]) -> bytes:
    result = monitor("analyze", str(bad_input[0]))
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_one_output_line_per_input_line_with_errors_in_place(
    bad_input: tuple[Path, dict[int, str]], one_worker: bytes
) -> None:
    path, bad = bad_input
    records = [json.loads(text) for text in one_worker.decode("utf-8").splitlines()]
    assert len(records) == 1300
    for number, record in enumerate(records, 1):
        if number in bad:
            assert set(record) <= {"id", "error"} and record["error"].startswith(f"line {number}: ")
            assert bad[number] in record["error"]
        else:
            assert "error" not in record, record
            assert record["id"] == number
            assert set(record) == {"id", "concerns", "sentiment", "polarity", "apps", "terms"}
    # line i holds POSTS[i % 7]
    assert records[6]["concerns"] == ["privacy"] and records[6]["polarity"] == "negative"
    assert records[0]["apps"] == ["ZAO"] and records[0]["concerns"] == []
    assert records[1]["concerns"] == ["regulatory"] and records[9]["concerns"] == ["fraud"]
    assert records[899] == {"id": "long", "error": records[899]["error"]}  # parsed: its id is kept


@pytest.mark.parametrize("workers", ["2", "0"])
def test_several_workers_write_the_same_bytes(
    bad_input: tuple[Path, dict[int, str]], one_worker: bytes, workers: str
) -> None:
    result = monitor("analyze", "--workers", workers, str(bad_input[0]))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == one_worker


def test_stdin_and_output_file(tmp_path: Path) -> None:
    stdin = b"".join(line(i, text) for i, text in enumerate(POSTS)) + b"\xff\n" + b"   \n"
    out = tmp_path / "out.jsonl"
    result = monitor("analyze", "-", "-o", str(out), "-j", "2", stdin=stdin)
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(POSTS) + 2
    assert records[-2] == {"error": f"line {len(POSTS) + 1}: not valid UTF-8 at byte 1"}
    assert records[-1] == {"error": f"line {len(POSTS) + 2}: empty line"}


def test_empty_input_gives_empty_output() -> None:
    result = monitor("analyze", stdin=b"")
    assert result.returncode == 0 and result.stdout == b""


def test_a_bad_setting_is_one_clean_error(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('[nlp]\nmodel = "nope"\n', encoding="utf-8")
    for workers in ("1", "2"):
        result = monitor("--config", str(config), "analyze", "-j", workers, stdin=line(1, "好"))
        assert result.returncode == 1
        assert b"error: nlp.model: unknown sentiment model 'nope'" in result.stderr
        assert b"Traceback" not in result.stderr
