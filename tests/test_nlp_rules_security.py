"""Fraud and security rules of round 7: each family of wordings with variants, and the
everyday look-alikes that must stay clean."""

from __future__ import annotations

import pytest

from monitor.nlp.segment import Segmenter
from monitor.nlp.tagger import Tagger
from tests.tagging_helpers import tag

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


# Round 8: scams told as stories, breaches told as "my data is on sale", and feared leaks
# that are no breach. (text, concern, raised): the concern must (or must not) be raised,
# whatever other concern files read into the text.
ROUND8 = [
    # phishing pages and messages that ask to log in
    ("有人私信我说“你的视频被人挂了”，附个链接，点开要登录，这不就是盗号网站吗", "fraud", True),
    ("群里有人发了个盗号链接，大家别点", "fraud", True),
    ("邮件里附了个网址，点开要输入密码才能看文件", "fraud", True),
    ("盗墓小说网站更新了", "fraud", False),
    ("群消息里的链接是班级作业", "fraud", False),
    # a hijacked account selling or spreading links; someone else spending from my account
    ("我微博被盗了！昨天那条卖面膜的不是我发的，大家千万别买！！", "fraud", True),
    ("QQ号被盗了，群里那个链接不是我发的，别点", "fraud", True),
    ("微博被盗了好几天，今天终于找回来了", "fraud", False),
    ("苹果ID被盗了，对方在我账号上买了六百多的游戏点券", "fraud", True),
    ("有人用我的支付宝买了三千块的东西，我根本不知道", "fraud", True),
    ("我妹用我的账号买了会员", "fraud", False),
    # my face or ID used by others to pay or borrow; cards emptied
    ("刷脸支付是真方便，但我总觉得哪天我的脸会被人拿去替我付钱", "fraud", True),
    ("身份证复印件被人拿去办了网贷，莫名其妙背了一身债", "fraud", True),
    ("我的伞被人拿去用了", "fraud", False),
    ("我妈问我身份证号被卖了能干嘛，我说能被人拿去冒名办网贷", "fraud", True),
    ("有人冒名在银行办了信用卡，账单寄到我家", "fraud", True),
    ("他冒名顶替上了大学", "fraud", False),
    ("我爸看新闻说换脸软件能把银行卡刷空，非让我卸载", "fraud", True),
    ("听说有种木马能把手机银行的钱转空", "fraud", True),
    ("双十一把信用卡刷空了", "fraud", False),
    # fake celebrities selling goods
    ("那种用AI换脸“明星本人”带货的直播间，卖的全是三无产品", "fraud", True),
    ("直播间里冒充某院士卖货的，其实是合成的视频", "fraud", True),
    ("明星直播带货好火", "fraud", False),
    # scam texts and suspicious links
    ("收到短信“您的积分即将清零，点击兑换”，链接长得奇奇怪怪，果断删了", "fraud", True),
    ("收到短信“您的积分即将清零，点击兑换”，链接长得奇奇怪怪，果断删了", "security", True),
    ("收到短信说积分可以兑换现金，点开链接要填银行卡号", "fraud", True),
    ("这个网址怪怪的，跟官网不一样", "security", True),
    ("信用卡积分兑换了一个电饭煲", "fraud", False),
    ("链接发你了，记得看", "security", False),
    # a caller offering a refund, then asking for a download or a loan
    ("有人打电话说我买的衣服有质量问题，要给我双倍理赔，让我下载一个app", "fraud", True),
    ("接到一个自称快递的来电，说包裹丢了要赔付我，让我打开支付宝备用金", "fraud", True),
    ("衣服有质量问题，申请退款以后商家让我下载发票", "fraud", False),
    # a relative's or a boss's face, voice or profile asking for money
    ("今天差点被骗！高中同学打来视频，脸是他的，声音也像，说在外地急需周转两万。", "fraud", True),
    ("同事她爸接到“她”的视频电话，说被扣在外地要交保证金", "fraud", True),
    ("刚才有个“领导”加我微信，头像名字跟我们处长一模一样，上来就让帮忙转笔钱", "fraud", True),
    ("我妈接到一个电话，那头是我的声音，说出了车祸急用钱，让她马上打五万过去", "fraud", True),
    ("骗子是从哪弄到人家朋友的脸和声音的？细思极恐", "fraud", True),
    ("骗子打来视频电话，开口就叫我妈", "fraud", True),
    ("公司资金周转困难，这个月工资晚发", "fraud", False),
    ("租房要交两个月保证金", "fraud", False),
    ("你个大骗子，说好的请吃饭呢", "fraud", False),
    # pyramid schemes run by people one knows
    ("同学聚会才知道当年的班长在搞传销，拉了一圈同学进去", "fraud", True),
    ("表姐做传销，把好几个亲戚都拉进去了", "fraud", True),
    ("这推销说得跟搞传销似的", "fraud", False),
    # a swapped face against a face check
    ("AI换的脸能骗过手机银行的刷脸验证吗？存款不多也怕啊", "fraud", True),
    ("登录要刷脸验证，挺方便的", "fraud", False),
    # "once leaked, leaked for life": a feared leak, not a breach
    ("人脸这东西一旦泄露就是一辈子的事，密码能改，脸你能改吗", "security", False),
    ("指纹一旦外泄就没法换了，想想都可怕", "security", False),
    ("酒店数据泄露了，一旦泄露就改不了", "security", True),
    # databases dumped, records put up for sale, "my data is in the dump"
    ("那个论坛的数据库被人拖走了", "security", True),
    ("服务器被拖垮了，网站打不开", "security", False),
    ("系统被偷偷更新了", "security", False),
    ("酒店集团发声明说已报警，可数据都挂出去卖了，查完又能怎样", "security", True),
    ("几十万条开房记录被打包放在论坛上卖", "security", True),
    ("我把闲置的东西挂出去卖了", "security", False),
    ("查了一下，我的身份证号和手机号大概率也在那五亿条里", "security", True),
    ("不知道我的信息在不在这几千万条数据里", "security", True),
    ("在这一万条评论里抽一个送礼物", "security", False),
    ("住个酒店信息全被卖了，下次开房我是不是得报假名", "security", True),
    ("某网站的用户数据被倒卖，一条几毛钱", "security", True),
    ("她小时候被卖到山里", "security", False),
    # fake pages that ask for data
    ("有人仿了个一模一样的健康码申领页面，骗人填身份证号和银行卡", "security", True),
    ("有个假冒的银行官网，让输入账号密码", "security", True),
    ("山寨手机的页面挺好看", "security", False),
    # home cameras taken over or their footage sold
    ("家里的摄像头被人远程控制了，半夜自己转动", "security", True),
    ("有人在卖家用摄像头的画面，一打包好几百个家庭", "security", True),
    ("摄像头被人挡住了", "security", False),
    ("事发时的监控视频被曝光", "security", False),
]


@pytest.mark.parametrize(("text", "concern", "raised"), ROUND8)
def test_round8_fraud_and_security(
    tagger: Tagger, segmenter: Segmenter, text: str, concern: str, raised: bool  # noqa: F811
) -> None:
    found, _ = tag(tagger, segmenter, text)
    assert (concern in found) is raised
