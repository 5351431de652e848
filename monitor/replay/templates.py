"""Template machinery for the replay scenarios: labelled texts, slot filling, banks.

A template is a Weibo-style sentence with `{slot}` placeholders and the labels a careful
human annotator would give every text it can produce: the concerns (a subset of
`monitor.types.CONCERNS`), the polarity and the watched apps mentioned.

Annotation guideline, followed by every bank:

- A concern is labelled when the post raises it, warns about it, reports news about it
  or mocks it sarcastically ("把脸永久免费送给ZAO，我可真大方[微笑]").
- Passing negations and dismissals ("我不担心隐私", "没有泄露") and look-alikes
  (照骗, 骗你的啦, 屏蔽了他, 人脸香氛蜡烛, 论文整改, 数据安全这门课) get no concern.
- Polarity is the tone of the whole post; a complaint about a crashed server is
  negative with no concern.
- Apps are read off the text: a template mentions ZAO if it has a `{zao}` slot or a
  literal ZAO alias, Pintu if it has `{pintu}` or a literal Pintu alias. Latin words
  that merely contain "zao" (zaoshang, Zaozhuang) are not mentions.

Slot values never change the labels: every value of a slot is interchangeable as far
as the template's labels go. Repost chains (`own//@name:earlier`) take the union of
concerns and apps; the polarity is the reposter's own unless that is neutral.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.types import CONCERNS

POLARITY_CODES: dict[str, str] = {"neg": "negative", "neu": "neutral", "pos": "positive"}
_SLOT = re.compile(r"\{(\w+)\}")
_MAX_DEPTH = 3
_ZAO_HINTS = ("{zao}", "ZAO", "逢脸造戏")
_PINTU_HINTS = ("{pintu}", "Pintu", "拼图岛")
STICKY_SLOTS = frozenset({"zao", "pintu", "miit"})

Slots = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Labelled:
    """A text (or a template of texts) with its annotation."""

    text: str
    concerns: frozenset[str]
    polarity: str
    apps: frozenset[str]
    news: bool = False
    """Written in a news-account style (【标题】...); such posts come mostly from media."""
    weight: float = 1.0


@dataclass(frozen=True)
class LongForm:
    """A long post (300+ characters): an intro, body paragraphs, an outro, one polarity."""

    polarity: str
    intros: tuple[Labelled, ...]
    bodies: tuple[Labelled, ...]
    outros: tuple[Labelled, ...]
    min_chars: int = 300


@dataclass(frozen=True)
class Bank:
    """Everything one stream of posts is written from."""

    templates: tuple[Labelled, ...]
    reactions: tuple[Labelled, ...]
    """Short comments a reposter adds (转发微博, 细思极恐, ...)."""
    hashtags: tuple[Labelled, ...] = ()
    hashtag_rate: float = 0.0
    long: LongForm | None = None
    long_rate: float = 0.0


def t(
    text: str, concerns: str = "", polarity: str = "neu", *, weight: float = 1.0, news: bool = False
) -> Labelled:
    """A template: `concerns` space-separated, `polarity` one of neg/neu/pos."""
    found = frozenset(concerns.split())
    unknown = found - set(CONCERNS)
    if unknown or polarity not in POLARITY_CODES:
        raise ValueError(f"bad labels on template {text!r}: {sorted(unknown)} {polarity!r}")
    return Labelled(text, found, POLARITY_CODES[polarity], _apps_in(text), news, weight)


def _apps_in(text: str) -> frozenset[str]:
    apps = set()
    if any(hint in text for hint in _ZAO_HINTS):
        apps.add("ZAO")
    if any(hint in text for hint in _PINTU_HINTS):
        apps.add("Pintu")
    return frozenset(apps)


def fill(text: str, rng: random.Random, slots: Slots) -> str:
    """Replace every `{slot}` with a random value (values may hold slots themselves).

    An app or regulator named twice in one text is named the same way both times.
    """
    sticky: dict[str, str] = {}

    def pick(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in STICKY_SLOTS:
            return sticky.setdefault(name, rng.choice(slots[name]))
        return rng.choice(slots[name])

    for _ in range(_MAX_DEPTH):
        if "{" not in text:
            break
        text = _SLOT.sub(pick, text)
    return text


def realize(template: Labelled, rng: random.Random, slots: Slots) -> Labelled:
    """One concrete text of `template`, same labels."""
    return Labelled(
        fill(template.text, rng, slots),
        template.concerns,
        template.polarity,
        template.apps,
        template.news,
    )


def choose(items: Sequence[Labelled], rng: random.Random) -> Labelled:
    """A weighted pick."""
    return rng.choices(items, weights=[item.weight for item in items])[0]


def compose(bank: Bank, rng: random.Random, slots: Slots, *, allow_long: bool = True) -> Labelled:
    """One original post from `bank`: sometimes long, sometimes with a hashtag."""
    if allow_long and bank.long is not None and rng.random() < bank.long_rate:
        return _long_post(bank.long, rng, slots)
    post = realize(choose(bank.templates, rng), rng, slots)
    if bank.hashtags and rng.random() < bank.hashtag_rate:
        tag = choose(bank.hashtags, rng)
        where = rng.random()
        joined = (
            f"{tag.text}{post.text}" if where < 0.4
            else f"{tag.text} {post.text}" if where < 0.75
            else f"{post.text} {tag.text}"
        )
        post = Labelled(
            joined, post.concerns | tag.concerns, post.polarity, post.apps | tag.apps, post.news
        )
    return post


def react(bank: Bank, rng: random.Random, slots: Slots) -> Labelled:
    """A reposter's short comment."""
    return realize(choose(bank.reactions, rng), rng, slots)


def chain(own: Labelled, name: str, earlier: Labelled) -> Labelled:
    """A repost of a repost as Weibo shows it: `own//@name:earlier`."""
    polarity = own.polarity if own.polarity != "neutral" else earlier.polarity
    return Labelled(
        f"{own.text}//@{name}:{earlier.text}",
        own.concerns | earlier.concerns,
        polarity,
        own.apps | earlier.apps,
        own.news,
    )


def _long_post(form: LongForm, rng: random.Random, slots: Slots) -> Labelled:
    intro = realize(choose(form.intros, rng), rng, slots)
    order = list(range(len(form.bodies)))
    rng.shuffle(order)
    chosen: list[int] = []
    length = len(intro.text)
    for index in order:  # a random subset, long enough, told in the bank's order
        if length >= form.min_chars:
            break
        chosen.append(index)
        length += len(form.bodies[index].text)
    bodies = [realize(form.bodies[index], rng, slots) for index in sorted(chosen)]
    parts = [intro, *bodies, realize(choose(form.outros, rng), rng, slots)]
    concerns = frozenset().union(*(part.concerns for part in parts))
    apps = frozenset().union(*(part.apps for part in parts))
    return Labelled("\n".join(part.text for part in parts), concerns, form.polarity, apps)


SHARED_SLOTS: dict[str, tuple[str, ...]] = {
    "ep": ("[哈哈]", "[笑cry]", "[doge]", "[赞]", "[爱你]", "[二哈]", "[哈哈][哈哈]", "[酷]",
           "[太开心]", "", "[笑cry][笑cry]"),
    "en": ("[怒]", "[抓狂]", "[衰]", "[允悲]", "[吐]", "[费解]", "[汗]", "[微笑]", "[摊手]",
           "[悲伤]", "[怒][怒]", ""),
    "eu": ("[吃瓜]", "[思考]", "[doge]", "[允悲]", "[摊手]", "[二哈]", "[费解]", ""),
    "smile": ("[微笑]", "[微笑][微笑]", "[微笑]"),
    "edoge": ("[doge]", "[二哈]", "[doge][doge]"),
    "pal": ("室友", "我妈", "我爸", "男朋友", "女朋友", "老板", "同事", "闺蜜", "我弟", "表妹",
            "班长", "舍友", "发小"),
    "who": ("一只胖橘", "晚风与你", "阿岚不吃辣", "芒果布丁酱", "小周同学", "海盐柠檬",
            "夏天的汽水", "大橙子", "豆包今天早睡了吗", "老陈在路上", "糯米团子", "西瓜太郎"),
    "n": tuple(str(number) for number in range(2, 16)),
    "late": ("十点", "十一点", "十二点", "凌晨一点", "凌晨两点"),
    "city": ("北京", "上海", "广州", "深圳", "成都", "武汉", "杭州", "重庆", "西安", "南京",
             "长沙"),
    "place": ("西湖", "外滩", "宽窄巷子", "解放碑", "东湖", "鼓浪屿", "商场", "图书馆", "公园",
              "海边", "老街"),
    "pet": ("猫", "狗子", "猫主子", "仓鼠", "柯基"),
    "wait": ("五分钟", "十分钟", "二十分钟", "半个小时", "快一个小时"),
}
"""Slots used by more than one bank (emoticons, people, places, numbers)."""
