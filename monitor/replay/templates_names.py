"""Invented screen names for the scenario's authors (used in `//@name:` repost chains).

Names are built from harmless parts (food, animals, weather, moods) so none spells a
watched app or a concern term; media accounts have their own invented names.
"""

from __future__ import annotations

import random

_HEADS = ("橘子", "柚子", "芒果", "西瓜", "奶茶", "咖啡", "可乐", "布丁", "饭团", "包子", "小鹿",
          "兔子", "猫咪", "柴犬", "熊猫", "鲸鱼", "海盐", "薄荷", "晚风", "月亮", "星星", "云朵",
          "雨天", "夏天", "秋刀鱼", "糯米", "年糕", "汤圆", "椰子", "小林", "阿杰", "大宝",
          "豆豆", "七七", "十一", "南风", "北北", "青柠", "栗子", "桃子")
_TAILS = ("不吃香菜", "要早睡", "在发呆", "爱旅行", "今天也很困", "想放假", "的日常", "酱", "君",
          "同学", "本人", "不加糖", "少冰", "研究所", "碎碎念", "在路上", "睡不醒", "是只猫",
          "爱吃肉", "想暴富", "的小号", "_", "呀", "超甜")

MEDIA_NAMES: tuple[str, ...] = (
    "科技速读君", "数码圈观察员", "每日互联网速递", "财经夜读笔记", "城事晚八点", "律师聊点法",
    "产品狗日记", "安全圈老K", "新闻咖啡馆", "热点拆解君", "晚报小编在线", "App测评小站",
    "科技圈吃瓜群众", "网络安全小课堂", "互联网法律观察", "今日数码头条",
)
"""Invented news, tech and law accounts: they post the 【headline】 items and get reposted."""


def make_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct invented screen names."""
    names: list[str] = []
    seen: set[str] = set(MEDIA_NAMES)
    while len(names) < count:
        name = rng.choice(_HEADS) + rng.choice(_TAILS)
        if rng.random() < 0.45:
            name += str(rng.choice((rng.randrange(10, 100), rng.randrange(1985, 2004))))
        if name.endswith("_"):
            name += str(rng.randrange(100, 1000))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names
