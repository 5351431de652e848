"""Privacy and biometric rules for faces taken and kept, compulsory face scans,
app permissions, consent ticked in advance, "search once and every app pushes it",
profiling, loan apps and contact lists, numbers and hotel records out in the open.

The sentences are written for these tests (a few follow the wordings of the storms the
rules were written for: ZAO 2019, 支付宝年度账单, app permissions, 315 face cameras,
小区 face gates, 12306 and hotel leaks); each rule has at least one. The everyday traps
are the look-alikes those rules must leave alone.
"""

from __future__ import annotations

import pytest

from monitor.nlp.segment import Segmenter
from monitor.nlp.tagger import Tagger
from tests.test_nlp_tagger import lexicon, segmenter, tag, tagger  # noqa: F401

CONCERN = [
    # faces taken, handed over, sold (patterns)
    ("这些换脸软件不要你一分钱，要的是你的脸", ("privacy", "biometric")),
    ("免费的才是最贵的，ZAO不收你钱，收的是你的脸", ("privacy", "biometric")),
    ("玩个滤镜而已，结果把自己的脸交出去了", ("privacy", "biometric")),
    ("同学拿我的合照去玩换脸，我的脸就这样被传上去了", ("privacy", "biometric")),
    ("我这张脸早就被各种app卖了好几轮了吧", ("privacy", "biometric")),
    ("免费的东西最贵，尤其是拿你的脸换的", ("privacy", "biometric")),
    ("以后照片会被拿去干嘛谁也不知道", ("privacy", "biometric")),
    ("这家公司一口气收了那么多高清正脸", ("privacy", "biometric")),
    # photos on servers, at home or abroad
    ("这个app到底把我们的照片存在哪个服务器上了", ("privacy", "biometric")),
    ("听说那个变老滤镜把用户自拍传回境外了", ("privacy", "biometric")),
    ("卸载了也没用，人家服务器上的照片又不会删", ("privacy", "biometric")),
    ("我的脸到底属于谁？平台说了算吗", ("privacy", "biometric")),
    # cameras that know who you are
    ("商场的摄像头会记住你，下次来就认出你了", ("privacy", "biometric")),
    ("商场的人脸识别能记住你来过几次、在哪家店停留多久", ("privacy", "biometric")),
    # faces collected from customers, compulsory scans
    ("4S店偷偷装人脸识别，顾客一进门就被抓拍", ("privacy", "biometric")),
    ("物业要采集全小区业主的人脸信息", ("privacy", "biometric")),
    ("物业非要我们刷脸进门，不刷就进不了小区", ("privacy", "biometric")),
    ("健身房改成必须刷脸才能入场", ("privacy", "biometric")),
    ("公园年卡强制改成刷脸入园，有人把园方告了", ("privacy", "biometric")),
    ("停车场强制刷脸，不同意就不让进", ("privacy", "biometric")),
    ("支持那位起诉动物园的游客，刷脸不能是唯一选项", ("privacy", "biometric")),
    ("我们小区要换人脸门禁了，物业挨家挨户收照片和身份证复印件，不交不给进门",
     ("privacy", "biometric")),
    ("人脸数据存在谁的服务器上，谁负责？", ("privacy", "biometric")),
    ("园方被判删除原告的面部照片", ("privacy", "biometric")),
    # selfies put to use
    ("我的自拍会不会被拿去商用啊", ("privacy", "biometric")),
    ("那家公司拿用户的自拍去训练算法，谁同意了？", ("privacy", "biometric")),
    ("注册一个社交软件要手机号还要正脸照，点同意之前想想吧", ("privacy", "biometric")),
    # biometric only: a face as a key, faces and voices used to cheat, face swap
    ("刷脸时代，脸就等于密码", ("biometric",)),
    ("密码可以改，可脸能改吗", ("biometric",)),
    ("有人用你的脸合成视频给你爸妈打电话", ("biometric",)),
    ("声音也能被克隆，接到家人电话先核实", ("biometric",)),
    ("指纹锁被人用指纹膜打开了", ("biometric",)),
    ("刷脸支付+换脸app，这组合想想都刺激", ("biometric",)),
    ("这类换脸app该管管了，不然早晚出事", ("biometric",)),
    ("之前上传的照片呢？打算怎么处理", ("privacy", "biometric")),
    # app permissions
    ("一个计算器app要我的通讯录权限干嘛", ("privacy",)),
    ("我把所有软件的麦克风权限都关掉了", ("privacy",)),
    ("一个手电筒app要读通讯录、定位、麦克风", ("privacy",)),
    ("装了个小游戏就要读我通讯录", ("privacy",)),
    ("小程序一打开就要获取位置，不给就用不了", ("privacy",)),
    ("相册被一个购物app偷偷读取了", ("privacy",)),
    ("拒绝了定位权限之后app直接闪退", ("privacy",)),
    ("某些app在后台偷偷打开麦克风录音", ("privacy",)),
    ("这个app后台一直在调用摄像头，吓死人", ("privacy",)),
    ("App不得因用户拒绝非必要权限而拒绝提供基本功能", ("privacy",)),
    ("这个app频繁索权，不给就弹窗", ("privacy",)),
    ("换了个名字，这些app照样偷偷收集", ("privacy",)),
    ("大家去那条微博底下看看自己被收集了多少", ("privacy",)),
    # ticked in advance
    ("注册的时候那个同意协议是默认勾选的，谁会注意啊", ("privacy",)),
    ("偷偷帮用户勾选同意，这操作太坏了", ("privacy",)),
    # search once, every app pushes it; apps that know you
    ("在淘宝搜了一下床垫，然后抖音微博全是床垫广告", ("privacy",)),
    ("在微信里跟朋友说想买扫地机器人，淘宝首页全是扫地机器人", ("privacy",)),
    ("我就搜了一次婴儿车，现在所有app都以为我要当妈了", ("privacy",)),
    ("怎么每次刚说过的东西，app就给我推荐", ("privacy",)),
    ("老给我推刚聊过的东西", ("privacy",)),
    ("美团比我老婆还了解我", ("privacy",)),
    ("外卖app知道我几点下班、住在哪", ("privacy",)),
    ("购物平台把我的消费习惯算得明明白白", ("privacy",)),
    ("这么多用户的行程数据都攥在一家公司手里", ("privacy",)),
    ("谁住哪、几点出门就全清楚了", ("privacy",)),
    ("输入法把我打过的字传到服务器上，想想都怕", ("privacy",)),
    # contacts, numbers, records
    ("网贷逾期了，催收给我通讯录里所有人打电话", ("privacy",)),
    ("某网贷平台爆了我的通讯录", ("privacy",)),
    ("收到验证码说我的手机号注册了某平台，我从来没注册过", ("privacy",)),
    ("我名下多了一个我从来没开通过的手机号", ("privacy",)),
    ("推销的怎么知道我刚生了孩子", ("privacy",)),
    ("推销员一开口就叫出了我的全名", ("privacy",)),
    ("在售楼处留了个电话，现在每天都有中介打过来", ("privacy",)),
    ("开房记录都能在网上查到，太可怕了", ("privacy",)),
    ("几千万条开房记录在网上被叫卖", ("privacy",)),
    ("身份证号就这样流出去了", ("privacy",)),
    ("我的信息到底是从哪漏出去的", ("privacy",)),
    ("这个网站上业主的身份证随便查", ("privacy",)),
    ("这不就是盯梢吗，商场摄像头什么都拍", ("privacy",)),
]

EVERYDAY = [
    "说实话我对隐私这事没啥感觉，我的生活无聊到别人看了都嫌浪费流量",
    "我对人脸识别这事无所谓，反正也习惯了",
    "闺蜜打听我恋爱的隐私，我说你先把你的交出来",
    "别问我感情上的小隐私",
    "这款「人脸」香薰蜡烛造型太绝了",
    "这个「人脸」抱枕太可爱了",
    "今天拍了十几张自拍，没一张好看",
    "上传一张自拍就能生成动漫头像，太好玩了",
    "我们小区装了人脸门禁，出门不用带钥匙了",
    "手机支持人脸解锁，比指纹快多了",
    "用你的照片做了个壁纸",
    "红着脸交出了情书",
    "脸都丢光了，怎么见人",
    "他图的就是你的脸，别傻了",
    "脸就是通行证，长得好看真好",
    "我的脸被蚊子咬了好几个包",
    "照片存好了，下周去国外玩",
    "我的照片存在国外的网盘了",
    "把照片上传脸书了",
    "老师叫出了我的名字",
    "对方叫出了我的名字，原来是小学同学",
    "我们在商场的监控里认出了那个小偷",
    "收集了好多好看的壁纸",
    "这个app怎么开启相机权限啊",
    "注册这个app要短信验证码",
    "通讯录里存了三百多个人",
    "游戏一更新就闪退，烦死了",
    "我的消费习惯太差了，月光",
    "常去的地方那家咖啡店关门了",
    "我从来没办过健身卡",
    "被领导催债似的催进度",
    "学校在收集同学们的意见",
    "搜了一下攻略，全是广告，没用",
    "看了这部剧，推荐给你们",
    "打开淘宝首页全是双十一活动",
    "它比我还懂我，我家猫真是个小天使",
    "他们知道我几点下班，就在公司楼下等我",
    "帮我勾选一下这个表格",
    "不想去公司刷脸",
    "后台读取数据库的速度太慢",
    "明星素颜正脸照曝光，太美了",
    "这张毕业照片用来做什么纪念品好呢",
    "悄悄打开冰箱偷吃了一块蛋糕",
]


@pytest.mark.parametrize(("text", "concerns"), CONCERN)
def test_privacy_and_biometric_concerns(
    tagger: Tagger, segmenter: Segmenter, text: str, concerns: tuple[str, ...]  # noqa: F811
) -> None:
    found, terms = tag(tagger, segmenter, text)
    assert found == concerns
    assert terms


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_look_alikes_raise_no_concern(
    tagger: Tagger, segmenter: Segmenter, text: str  # noqa: F811
) -> None:
    assert tag(tagger, segmenter, text) == ((), ())
