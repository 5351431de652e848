"""Regulatory rules of round 7: platforms blocking links, apps taken off and put back on
the app stores, security reviews, fines on companies, regulators' lists and campaigns,
foreign lawmakers and agencies, new laws and rules, accounts banned or throttled.

Most sentences are written for these tests as variants of each family (other apps,
platforms, regulators and verbs); a few come from the probe set of app-launch posts.
Everyday senses must stay clean: a shop's own listing, a driver's or an employee's fine,
a crowded metro's 限流, a thesis under review, working at a ministry.
"""

from __future__ import annotations

import pytest

from monitor.nlp.segment import Segmenter
from monitor.nlp.tagger import Tagger
from tests.test_nlp_tagger import lexicon, segmenter, tag, tagger  # noqa: F401

REG = ("regulatory",)

REGULATORY_CASES = [
    # A platform blocking or restricting an app's links.
    ("微信封了抖音的链接，分享出去打不开了", REG),
    ("抖音链接在微信里被限制访问了", REG),
    ("微信限制了网易云音乐的分享链接", REG),
    ("外链全被屏蔽了，只能截图", REG),
    ("微信封了zao链接，陌陌和腾讯的恩怨又多一笔[吃瓜]", REG),  # probe
    ("【微信限制ZAO链接分享】有用户发现，ZAO分享至微信的链接已无法打开。微信方面回应称，"
     "因该链接被多人投诉，已对其限制访问。", REG),  # probe
    # Apps taken off the app stores, and put back.
    ("运满满和货车帮也下架了", REG),
    ("BOSS直聘被下架了，找工作的怎么办", REG),
    ("滴滴下架了，打车我改用高德了，体验差不多", REG),  # probe
    ("应用商店里已经搜不到滴滴了", REG),
    ("抖音重新上架了，应用商店又能搜到了", REG),
    ("滴滴恢复上架，新用户又能下载了", REG),
    ("滴滴从应用商店消失了", REG),
    ("App Store下架了FaceApp", REG),
    ("滴滴被勒令下架", REG),
    # Governments banning apps.
    ("TikTok在印度被禁用了", REG),
    ("特朗普要封禁TikTok和微信", REG),
    ("美国商务部宣布禁止下载TikTok", REG),
    # Security reviews and what they do.
    ("滴滴刚在美国上市就被审查了", REG),
    ("运满满也被审查了，下一个是谁", REG),
    ("BOSS直聘暂停新用户注册了", REG),
    ("滴滴恢复新用户注册了", REG),
    ("七部门联合进驻滴滴", REG),
    ("审查期间停止新用户注册，那我这个刚换手机号的咋办", REG),  # probe
    # Fines on companies.
    ("阿里被罚182亿，反垄断动真格了", REG),
    ("美团因二选一被罚34.42亿元", REG),
    ("罚了阿里182亿", REG),
    ("FTC对Facebook开出50亿美元罚单", REG),
    ("知网被罚8760万，活该", REG),
    ("这家企业被罚了十几万", REG),
    ("对滴滴的处罚决定出来了", REG),
    ("滴滴被罚了80亿，够我打一辈子车了", REG),  # probe
    # Summons, investigations, orders, on a named company or app.
    ("美团被约谈，外卖小哥的事总算有人管了", REG),
    ("运营方被约谈了，要求整改", REG),
    ("ZAO被叫去喝茶了", REG),
    ("阿里被立案调查了", REG),
    ("蚂蚁上市被叫停了", REG),
    ("滴滴股价闪崩，监管重拳出击", REG),
    ("卫生局来检查了，后厨全部整改", REG),
    ("315之后各地市场监管局开始查门店了", REG),
    # Regulators' lists and campaigns.
    ("这次的通报名单里有好几个大厂的app", REG),
    ("这几个app又被点名了", REG),
    ("网络乱象专项整治又开始了", REG),
    # Foreign lawmakers and agencies.
    ("美国有议员要求FBI调查FaceApp，这阵仗也是够大的", REG),  # probe
    ("参议员呼吁联邦贸易委员会调查TikTok", REG),
    ("舒默要求FBI和FTC调查FaceApp", REG),
    ("FBI要调查FaceApp了", REG),
    ("ZAO在微信里已经分享不了了", REG),
    ("腾讯出手封杀ZAO", REG),
    ("几家银行也被银保监会约谈了", REG),
    ("多款App因违规收集被通报", ("privacy", "regulatory")),
    ("应用商店开始清理违规app", REG),
    ("人脸识别技术应用安全管理规定(试行)发布", REG),
    ("滴滴被查了", REG),
    ("滴滴被调查了，股价暴跌", REG),
    ("这次滴滴是被国家出手整治了", REG),
    # A regulator asked by name, even as an @mention.
    ("这种霸王条款@市场监管总局 管管吧", REG),
    ("app不给权限就不让用，这算不算强制授权？@工信部 管不管？", ("privacy", "regulatory")),  # probe
    # Accounts, groups and topics acted on by the platform.
    ("小红书把我的笔记限流了", REG),
    ("他被微博封了", REG),
    ("我的微信号被封了", REG),
    ("这个话题被撤热搜了", REG),
    ("内涵段子被永久关停", REG),
    # New laws and rules.
    ("数据安全法今天起实施", REG),
    ("个保法通过了，app们收敛点吧", REG),
    ("杭州修订了物业管理条例", REG),
    ("App新规来了", REG),
    ("网络游戏防沉迷新规出台了", REG),
]

REGULATORY_TRAPS = [
    # Working at a ministry is not the ministry acting.
    "我表哥考进了工信部下面的一个研究院，家里摆了三桌",  # probe
    "我同学在工信部上班，天天加班",
    "他调到了网信办工作",
    "工信部的公务员考试好难",
    # A shop's own listing, a product back in stock.
    "淘宝上那家店的衣服下架了，没买到",
    "抖音上那家店的鞋下架了",
    "超市的草莓重新上架了",
    "新品上架，快来抢",
    # Everyday use of the apps, muting a chat, broken links.
    "我在滴滴上打了个车，司机很好",
    "我把微信群消息屏蔽了",
    "我微信屏蔽了我妈",
    "微信链接打不开，网太差了",
    "限制了孩子用手机的时间，链接也不让点",
    # Fines on people, not companies; sports.
    "违规停车被罚了200",
    "上班迟到被公司罚了50块",
    "滴滴司机被罚了",
    "美团骑手被罚款，太惨了",
    "罚球没进，太可惜了",
    # School and office reviews and notices.
    "考试作弊被学校通报批评",
    "宿舍卫生不合格被通报了",
    "老师让我的论文审查一下",
    "他被审查了，听说是贪污",
    "论文在审查期间不能修改",
    "公司出了考勤新规，迟到扣钱",
    "游戏新规：每周五晚上有活动",
    "公司发布了新的考勤管理办法",
    # Crowds, games, phones, friends.
    "景区限流，只能预约",
    "游戏里被强制下线了，网卡",
    "信号被封锁了",
    "被朋友叫去喝茶了",
    "比赛被裁判叫停了",
    "他是国会议员的儿子",
    "快手上的视频挺好笑",
    "清理微信缓存，手机快了好多",
    "清理了几个不用的app",
    "他酒驾被查了",
    "大家一起整治一下宿舍卫生",
    "大家 管管孩子吧",
    "能不能管管了，交了钱还没座位",
]


@pytest.mark.parametrize(("text", "concerns"), REGULATORY_CASES)
def test_regulatory_sentences(
    tagger: Tagger, segmenter: Segmenter, text: str, concerns: tuple[str, ...]  # noqa: F811
) -> None:
    found, terms = tag(tagger, segmenter, text)
    assert found == concerns
    assert terms


@pytest.mark.parametrize("text", REGULATORY_TRAPS)
def test_regulatory_traps(tagger: Tagger, segmenter: Segmenter, text: str) -> None:  # noqa: F811
    assert tag(tagger, segmenter, text) == ((), ())
