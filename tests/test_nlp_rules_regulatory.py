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
from tests.tagging_helpers import tag

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
    # Round 8: an app's links that will not open or be sent in a chat app.
    ("刚刷到说zao的链接在微信里打不开了，我还以为是我家网又抽风", REG),  # probe
    ("抖音的分享链接到了QQ里就被拦截了", REG),
    ("好像发不了链接啊 被当做广告了", REG),
    # A platform or an app store asked to act.
    ("苹果和各家安卓商店是不是该管管了", REG),  # probe
    ("微博能不能赶紧封了这些营销号", REG),
    # Content and channels removed at a whim, swallowed, folded, hidden, judged against the rules.
    ("追了三年的超话说关就关，粉丝群里哭成一片", REG),  # probe
    ("好好的评论说没就没", REG),  # probe
    ("公众号说封就封，连个理由都没有", REG),
    ("我的评论又被吞了，发了三遍都显示不出来", REG),
    ("刚发的回答被折叠了", REG),
    ("粉丝都刷不到我的视频了，明明没违规", REG),
    ("那条吐槽被设置为仅自己可见", REG),
    ("笔记被判定违规，申诉也没用", REG),
    ("我的帖子被404了", REG),
    # A platform removing someone's content, account or group.
    ("微博把我的超话封了", REG),
    ("B站把那个视频下了", REG),
    ("抖音封了好几个AI换脸的号", REG),
    ("豆瓣小组被解散了", REG),
    # Companies, shops and apps fined; authorities stepping in.
    ("这家公司被罚了五十万", REG),
    ("那几家偷采人脸的店后来被罚了没有？", REG),
    ("违规的App将被重罚", REG),
    ("相关部门已经介入调查了", REG),
    ("有关部门已经在查了", REG),
    ("相关部门正在调查此事", REG),
    ("国家该出手管管这些黑心商家了", REG),
    # Rules and standards: drafts, joint notices, laws and interpretations in force.
    ("人脸识别国家标准正在征求意见", REG),
    ("两部门联合发文，规范人脸识别应用", REG),
    ("舆论封锁上吃的亏，现在可别再来一遍了", REG),
    ("个保法正式来了，大厂们都要管，希望不是一阵风", REG),  # probe-like
    ("银行也得遵守个保法了吧", REG),
    ("最高法出了司法解释，物业不能再乱收费了", REG),  # probe-like
    ("人脸识别司法解释出来了", REG),
    ("网络直播管理规定明年一月起施行", REG),
    # A named regulator fining or taking a complaint; hotlines; the 3.15 gala.
    ("市场监管局罚了一家健身房", REG),  # probe
    ("我已经向市场监管局举报了", REG),
    ("打了12345投诉物业乱收费", REG),
    ("看完315，以后进店我得戴口罩墨镜", REG),  # probe
    # Regulators abroad; app stores removing apps; filings with the competent authority.
    ("意大利监管机构对这款AI应用展开调查", REG),
    ("监管终于对这些app动手了", REG),
    ("韩国对脸书罚款", REG),
    ("ZAO被罚款了", REG),
    ("日本监管机构已经对这家公司展开调查", REG),
    ("苹果把这款app从商店里撤了", REG),
    ("安卓各大市场已经搜不到这个app了", REG),
    ("FaceApp在美国被要求接受调查", REG),
    ("应当向省农业行政主管部门申请办理农药登记", REG),
    ("应用商店上架审核要收紧了", REG),
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
    # Round 8: a boss's or a teacher's talk, a slow network, shops closing, money gone.
    "老板今天约谈了我，说我上个月KPI没完成，要我好好整改工作方法[泪]",  # probe
    "班主任约谈了几个家长，要求整改学习态度",
    "这个链接发到群里打不开，可能是网不好",
    "那家奶茶店说关就关，好可惜",
    "钱说没就没，工资又花光了",
    # Cards swallowed, children punished, staff fined, sports, one's own deletions.
    "银行卡被ATM吞了",
    "这家店被罚站的小孩好可怜",
    "店员被罚了，因为打碎了盘子",
    "国家队出手了，三比零",
    "我的评论被作者删了",
    "群被群主解散了",
    # One's own privacy settings, shops and deliveries, exam answers, marriage, surveys.
    "别人看不到我的朋友圈是因为我设置了三天可见",
    "把相册设置成仅自己可见了",
    "商店该进货了",
    "平台能不能快点发货",
    "标准答案出来了",
    "结婚登记要带户口本",
    "个保法是什么",
    "我的小程序通过app store审核啦",
    "这个条例我不太懂",
    "她把我微信删了",
    "问卷调查显示大家都爱喝奶茶",
    "手被门夹了",
    # Downloads, statistics, looking up a number, fines on people.
    "抖音把视频下载到相册了",
    "据相关部门调查显示，近视率逐年上升",
    "我查了一下工商局的电话",
    "google一下闯红灯罚款多少",
    "超生被计划生育委员会罚款",
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
