"""Fraud and security rules of round 7: each family of wordings with variants, and the
everyday look-alikes that must stay clean."""

from __future__ import annotations

import pytest

from monitor.nlp.segment import Segmenter
from monitor.nlp.tagger import Tagger
from tests.test_nlp_tagger import lexicon, segmenter, tag, tagger  # noqa: F401

SECURITY_CASES = [
    # leaked data on the dark web and black markets
    ("我的开房记录在暗网打包卖8个比特币？？？", ("privacy", "security")),
    ("网传某快递公司十亿条用户数据在暗网被兜售", ("security",)),
    ("暗网上有人在卖某快递公司的用户数据，一条才几分钱", ("security",)),
    ("黑客在黑市上兜售这家网站的数据库", ("security",)),
    # weak, default and clear-text credentials, open databases
    ("某视频网站数据库弱口令，被人随便拖走了一百万用户信息", ("security",)),
    ("这个系统的初始密码是123456，谁都能登录后台", ("security",)),
    ("某摄像头厂商默认密码没改，谁都能看直播", ("security",)),
    ("数据库居然没设密码，谁都能访问", ("security",)),
    ("这个网站明文存储用户密码，太离谱了", ("security",)),
    # secrets pushed to a code host
    ("据说是程序员把数据库连接配置传到GitHub上了，真的假的", ("security",)),
    ("员工把客户数据库的账号密码上传到了GitHub", ("security",)),
    # data sent in the clear and caught on the way
    ("这个app传身份证照片居然没加密，黑客抓包就能看到", ("security",)),
    ("公共wifi下聊天记录没加密，很容易被截获", ("security",)),
    ("验证码短信被截获，钱就被转走了", ("security",)),
    ("浏览器主页又被劫持了，打开全是广告", ("security",)),
    # fake or cracked installers, antivirus flags
    ("ZAO刚火就冒出一堆仿冒安装包，我表弟装了一个，手机狂弹广告还被杀毒软件报毒", ("security",)),
    ("从论坛下的安装包有病毒，装完手机就中毒了", ("security",)),
    ("山寨版微信会偷偷盗号，千万别装", ("security",)),
    ("电脑管家检测出木马病毒，赶紧删了", ("security",)),
    ("网上流传的ZAO安装包被报毒，别乱下", ("security",)),
    # passwords handed to plugins and third parties
    ("第三方插件让你输入QQ密码，肯定有问题", ("security",)),
    ("千万别把账号密码交给代抢的第三方", ("security",)),
    ("抢票插件要你输入账号和密码，背地里干了啥谁知道", ("security",)),
    # passwords changed after a leak, one password everywhere
    ("华住那事以后我所有网站都换了不同密码，密码管理器真香", ("security",)),
    ("知道泄露以后赶紧改了密码", ("security",)),
    ("我所有账号都用同一个密码，是不是很危险", ("security",)),
    ("一个密码走天下的人注意了", ("security",)),
    # someone else in with a photo; face log-ins in doubt
    ("别人拿你一张照片就能登录你的账户，想想都可怕", ("security",)),
    # leaks in spoken forms, biometric data leaked
    ("估计就是酒店那批信息漏出去的", ("privacy", "security")),
    ("某平台的用户数据漏出去了，好几千万条", ("security",)),
    # cracked locks and Wi-Fi, home devices broken into
    ("智能门锁被破解，小黑盒一碰就开", ("security",)),
    ("wifi密码被破解了，邻居一直在蹭网", ("security",)),
    ("家里的摄像头被入侵了，有人在对面说话", ("security",)),
    # strange log-ins and unasked log-in codes, named attacks
    ("QQ提示有陌生设备登录，赶紧改了密码", ("security",)),
    ("我根本没操作，却收到了支付宝的登录验证码", ("security",)),
    ("半夜收到好几条验证码，我并没有申请", ("security",)),
    ("微信提示账号异常登录", ("security",)),
    ("网站遭到ddos攻击，打不开了", ("security",)),
    ("某论坛源代码泄露，用户密码都是明文保存的", ("security",)),
]

FRAUD_CASES = [
    # fake customer service asking for card numbers, codes, screen sharing
    ("接到“12306客服”电话说我的票有问题要改签，还要我报银行卡号，直接挂了", ("fraud",)),
    ("自称是京东客服的人打电话，让我把卡号和验证码报给他", ("fraud",)),
    ("客服来电说我开通了百万保障，不取消就要自动扣费", ("fraud",)),
    ("客服说要帮我关闭校园贷，不然影响征信，让我转账", ("fraud",)),
    ("客服让我下载一个会议软件开共享屏幕，幸好没开", ("fraud",)),
    ("有个陌生号码自称快递员，说包裹丢了要赔我钱", ("fraud",)),
    # scalpers' fakes, paid and blocked
    ("买了张黄牛的“内部票”，到车站一刷是假的，钱也要不回来了", ("fraud",)),
    ("黄牛卖的演唱会门票是假的，进不去场", ("fraud",)),
    ("黄牛卖的高铁票根本用不了，三百块打了水漂", ("fraud",)),
    ("在闲鱼买演唱会门票，卖家收了钱就把我拉黑了", ("fraud",)),
    # counterfeits sold as genuine
    ("淘宝买的“正品”耳机到了，明显是高仿，商家还说假一赔十", ("fraud",)),
    ("专柜价两千的包，卖家说是正品，收到是A货", ("fraud",)),
    ("号称纯天然的蜂蜜，其实是糖浆勾兑的", ("fraud",)),
    ("不法商贩以假充真，把普通大米当五常大米卖", ("fraud",)),
    ("这款充电宝容量虚标，说好的两万毫安只有一半", ("fraud",)),
    # short weight
    ("菜市场那家的秤少了二两，老板还死不承认[怒]", ("fraud",)),
    ("回家一称，少了半斤，这家水果店太黑了", ("fraud",)),
    ("水果摊的秤差了半斤", ("fraud",)),
    # sales tricks on customers
    ("售楼处销售说今天交定金就能九折，结果人人都九折，纯纯套路", ("fraud",)),
    ("健身房办卡全是套路，交了钱就没人管了", ("fraud",)),
    ("销售说限时优惠，结果第二天还是这个价，被套路了", ("fraud",)),
    # fake apps and knock-offs that took money
    ("有人发链接说是FaceApp中文版，下下来是个要交会员费的山寨货，白扔了30", ("fraud",)),
    ("冒牌app骗了我98块会员费", ("fraud",)),
    ("他谎称是银行工作人员，骗走老人五万元", ("fraud",)),
]

# Raise neither fraud nor security (other concern files may read more into them).
NOT_FRAUD_OR_SECURITY = [
    "看了个暗网的纪录片，里面卖枪卖毒品什么都有",
    "暗网是什么，听起来好神秘",
]

TRAPS = [
    # security look-alikes
    "这部电影讲的是黑市交易军火",
    "初始密码为身份证后六位，登录后请及时修改",
    "今天把毕设代码传到GitHub上了，求star",
    "这个压缩包没加密，直接发你了",
    "这个app不加密也没关系，反正就是个记账本",
    "飞机被劫持的电影真好看",
    "360误报毒了，其实那个软件没问题",
    "这游戏破解版免费玩，真香",
    "下载安装包太慢了",
    "把密码告诉我妈了，她要帮我交话费",
    "忘记密码了，找回密码好麻烦",
    "改密码了，以后用这个",
    "这道数学题终于被破解了",
    "我用照片做头像登录了新账号",
    "收到验证码了，马上登录",
    "眼泪流出去了",
    "人脸识别签到还挺方便",
    # fraud look-alikes
    "这部电视剧全是套路",
    "恋爱的套路我都懂",
    "学会这几个化妆套路，秒变女神",
    "黄牛票贵了一倍，不过还是买了",
    "黄牛党太多了，抢不到票",
    "买了个高仿包，便宜又好看",
    "我们班主任自称是数学天才",
    "他号称自己是学霸",
    "去银行办卡，柜员让我填了银行卡号",
    "减肥一个月，早上称少了三斤",
    "体重秤少了两斤，开心",
    "宝宝出生称了七斤二两",
    "有人谎称自己生病，博取同情",
    "征信报告怎么查",
]

# Face payment: a reassurance that a swapped face cannot beat it is no fraud, while a
# question whether it is "still safe" is a security worry.
FACE_PAYMENT = [
    ("【支付宝回应ZAO换脸风险】支付宝表示，网上各种换脸软件，不管换得多逼真，都无法突破刷脸支付。",
     "fraud", False),
    ("支付宝称换脸视频无法骗过人脸识别", "fraud", False),
    ("求科普：ZAO生成的换脸视频能不能骗过银行的人脸核身？", "fraud", True),
    ("刷脸支付还安全吗？", "security", True),
    ("现在好多地方刷脸就能支付、能登录，zao一下收了这么多高清正脸，刷脸认证还安全吗？", "security", True),
    ("手机银行能刷脸登录，要是别人拿我照片就能登进去怎么办，有没有人试过", "security", True),
]


@pytest.mark.parametrize(("text", "concerns"), SECURITY_CASES + FRAUD_CASES)
def test_fraud_and_security_sentences(
    tagger: Tagger, segmenter: Segmenter, text: str, concerns: tuple[str, ...]  # noqa: F811
) -> None:
    found, terms = tag(tagger, segmenter, text)
    assert found == concerns
    assert terms


@pytest.mark.parametrize("text", TRAPS)
def test_fraud_and_security_look_alikes(
    tagger: Tagger, segmenter: Segmenter, text: str  # noqa: F811
) -> None:
    assert tag(tagger, segmenter, text) == ((), ())


@pytest.mark.parametrize("text", NOT_FRAUD_OR_SECURITY)
def test_neither_fraud_nor_security(
    tagger: Tagger, segmenter: Segmenter, text: str  # noqa: F811
) -> None:
    found, _ = tag(tagger, segmenter, text)
    assert not {"fraud", "security"} & set(found)


@pytest.mark.parametrize(("text", "concern", "raised"), FACE_PAYMENT)
def test_face_payment(
    tagger: Tagger, segmenter: Segmenter, text: str, concern: str, raised: bool  # noqa: F811
) -> None:
    found, _ = tag(tagger, segmenter, text)
    assert (concern in found) is raised
