"""Concern tagging with the shipped lexicon: traps stay clean, real concerns are found."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.nlp.lexicon import Lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.segment import Segmenter
from monitor.nlp.tagger import Tagger
from monitor.types import CONCERNS
from tests.tagging_helpers import shipped_tools, tag

CLAUSE = "全球范围内完全免费、不可撤销、永久、可转授权和可再许可的权利"


HAPPY_LAUNCH = [
    "ZAO换脸太好玩了！",
    "ZAO换脸太好玩了！！！[哈哈][哈哈]",
    "用ZAO把自己换脸成了周星驰，笑死我了[哈哈]",
    "#ZAO换脸# 我和刘德华同框了，太好玩了",
    "逢脸造戏太火了，服务器都挤爆了",
    "ZAO换脸效果逼真得可怕，这技术绝了",
    "今天下载了ZAO，朋友圈都被刷屏了",
    "用ZAO换了一张脸，人脸识别都认不出我了哈哈",
    "一键换脸，秒变电影主角，ZAO真香",
    "上传一张自拍就能换脸，ZAO太神奇了",
]

EVERYDAY_TRAPS = [
    "骗你的啦，我根本没去",
    "负责依法查处合同欺诈等违法行为",  # a list of duties, not a fraud
    "大致情况是有人盗我图写微博",  # copied pictures, not a break-in
    "见过逃课的见过翻墙的",  # a school wall
    "开会时把手机信号屏蔽了",
    "@真真的流水木马",  # a user name
    "你这个小骗子[哈哈]，说好的奶茶呢",
    "这张照片简直是照骗",
    "别再欺骗自己了，他不爱你",
    "我把他屏蔽了，眼不见心不烦",
    "设置了屏蔽朋友圈，清净了",
    "人脸香氛蜡烛到货了，好香",
    "老师让我的作文整改一下，学校监管真严",
    "论文还要整改，好累",
    "手机号换了，大家加我新号",
    "刷脸进站真方便",
    "永久会员是个坑，太贵了",
    "被老板约谈了，好慌",
    "验证码收不到怎么办",
    "@隐私保护协会 今天天气真好",
    "@反诈骗中心 谢谢你们的讲座",
    "黑客帝国真好看",
    "剧情泄露了，别剧透",
    "这款口红下架了，好可惜",
    "我的数据线又坏了",
    "你的脸好红",
    "外星人入侵地球的电影",
    "转账给你了，记得查收",
    "今天去银行办了张银行卡",
    "美得可怕的风景[赞]",
    "定位在北京，天气晴",
    "他的手机被偷了，报警了",
    "我不担心隐私，反正我这张脸也没啥人要[doge] ZAO真香",
    "数据安全这门课期末考了61分，终于不用补考了",
    "网站数据没有泄露，大家放心",
    "把我爸的脸换进老电影的经典镜头，全家看完笑疯了",
    "朋友圈屏蔽了爸妈，周末偷偷出去玩",
    "导师说我论文第三章逻辑不行，让我整改",
    "宿舍卫生检查没过，要求整改，今晚全员大扫除",
    "ZAO已经被我删了，换脸视频也删了，就当没玩过",  # deleting one's own posts
    "被删好友了，好伤心",
    "居然没被删除！赶紧存",
    "明天单双号限号出行",
    "找关系走后门进了单位",
    "今天吃了河蟹，真鲜",
    "地铁早高峰限流，排了半小时",
    # fraud: round 5 rules
    '我们为每笔交易的支付安全提供赔付保障',  # a payment service's safeguards
    '他骗了我三年青春',  # lying in love, not money
    '#陈士渠防骗讲堂# 寻找走失儿童',
    '这是谣言，千万不要上当',
    '买家非说我卖假货，气死了',
    '他球技不行还老喜欢碰瓷',
    '度假蜜月的照片终于修好了',
    '家里的旧书当废品卖了二十块',
    '黑帮在海外洗钱上亿',
    '放假前去吃了碗牛肉面',
    # privacy: round 5 rules
    '他的婚姻状况是他的隐私',
    '不喜欢被问太隐私的问题',
    '请勿盗用我的照片',
    '不要窥探别人的内心',
    '闯红灯会被监控拍到',
    '病人一直被监控体温',
    '偷拍了一张酒店的风景',
    '今天指纹打卡没打上',
    '老师居然叫出了我的名字',
    '这首歌名字大家都知道',
    '公布中奖名单请私信手机号',
    '刚刚偷听到邻居聊天',
    '自动定位到了上海',
    '饼干cookie真好吃',
    # regulatory: round 5 rules
    '今天我的车限号，只能坐地铁',
    '我们班宣传部要出黑板报',
    '晚上宿舍315开会',
    '实名制的票不能转让',
    '用户名叫不实名的那位',
    '居然没被删除！照片还在',
    '这款口红被下架了',
    '他没有户口怎么上的牌照',
    '医生让我去检查一下',
    # security: round 5 rules
    '学信息安全专业的男生最靠谱',
    '家里昨晚被盗了，报了警',
    '监控拍到小偷入侵民宅',
    '他在节目里被黑得很惨',
    '他盗用我的文章还不署名',
    '你再用我微博乱发试试',
    '我把号给别人用了',
    '官方微博给大家发福利啦',
    '酒精中毒进了医院',
    '病毒感染人数又上升了',
    '法律漏洞被人钻了空子',
    '三号晚上店里被盗了',
    '他靠走后门进了单位',
    # privacy and biometric: round 6 rules
    '这是我的隐私，不告诉你',
    '扒一扒某明星的隐私',
    '求推荐一款好用的监听耳机',
    '你帮我翻翻我手机里那张照片',
    '查我手机话费还剩多少',
    '这些资料谁来负责整理',
    '可能认识的人里有好多老同学',
    '偷窥一下你的微博，哈哈',
]

CONCERNS_CASES = [
    ("@带着微博去旅行连微博都盗", ("security",)),  # the mention ends before 连
    ("两天没登就被盗了", ("security",)),
    ("密码就给盗了", ("security",)),
    ("不过待会儿肯定要被屏蔽了", ("regulatory",)),
    ("不是有监管部门吗？都干什么去了", ("regulatory",)),  # rhetorical, not a negation
    ("监管部门才出手", ("regulatory",)),
    ("用电脑翻墙上了facebook", ("regulatory",)),
    ("ZAO用户协议里写着永久使用你的照片，太可怕了", ("privacy",)),
    ("ZAO的用户协议你们看了吗？太可怕了", ("privacy",)),
    (f"ZAO用户协议规定，用户上传的人脸照片，授予其{CLAUSE}", ("privacy", "biometric")),
    (f"用户协议：您同意就您的肖像和人脸授予ZAO{CLAUSE}", ("privacy", "biometric")),
    (CLAUSE, ("privacy",)),
    ("【警方提醒】近期有骗子冒充快递客服，以理赔为由索要验证码，千万不要上当！", ("fraud",)),
    ("#反诈提醒# 凡是自称公检法要求转账到所谓安全账户的，都是诈骗！", ("fraud",)),
    ("您好，我是市公安局民警，您的银行卡涉嫌洗钱，请立即将资金转入安全账户配合调查，不要告诉任何人。",
     ("fraud",)),
    ("【XX银行】您的账户存在异常，请点击链接输入验证码解除冻结", ("fraud",)),
    ("我妈被冒充领导的骗子骗走了两万块", ("fraud",)),
    ("这个App非要我开启位置权限才能用，凭什么获取我的位置信息？", ("privacy",)),
    ("这个app非要读取通讯录才能用，凭什么", ("privacy",)),
    ("不给定位权限就不让用，这app凭什么", ("privacy",)),
    ("我的手机号被泄露了，天天接到骚扰电话", ("privacy", "security")),
    ("刷脸支付会不会被ZAO换脸破解？", ("biometric", "fraud")),
    ("换脸视频被用来诈骗，太可怕了", ("biometric", "fraud")),
    ("ZAO会不会泄露用户的人脸数据", ("biometric", "security")),
    ("ZAO回应：不会存储用户面部生物特征信息", ("biometric",)),
    ("隐私泄露太可怕", ("privacy", "security")),
    ("某平台500万用户数据被黑客窃取", ("security",)),
    ("我的微博账号被盗了，发了一堆广告", ("security",)),
    ("工信部约谈ZAO", ("regulatory",)),
    ("ZAO被约谈了", ("regulatory",)),
    ("微信屏蔽了ZAO的链接", ("regulatory",)),
    ("网信办要求ZAO整改", ("regulatory",)),
    ("工信部要求ZAO限期整改，不得违规收集个人信息", ("privacy", "regulatory")),
    ("转发微博 //@张三: ZAO用户协议太霸道了，赶紧卸载 //@李四: 换脸有风险",
     ("privacy", "biometric")),
    ("问了一圈，没人认真看过ZAO的用户协议", ("privacy",)),
    ("ZAO换脸的隐私条款总结：你的就是我的，我的还是我的[微笑]", ("privacy",)),
    ("以后接到我妈的视频电话借钱都得多留个心眼了", ("fraud",)),
    ("支付宝刷脸到底安不安全？", ("biometric", "fraud")),
    ("ZAO的数据安全谁来保证？万一被黑客攻破，几百万张人脸数据就全泄露了", ("biometric", "security")),
    ("工信部网络安全管理局约谈ZAO", ("regulatory",)),
    ("想把ZAO视频发给同事，结果微信里链接无法访问", ("regulatory",)),
    ("手机是不是在偷听，刚说想买耳机App就推荐了", ("privacy",)),
    # strong patterns: wordings a list of words cannot hold
    ("哪个天杀的盗了俺的微信啊！", ("security",)),
    ("我的微博被别人发了好多东西？不是我发的", ("security",)),
    ("天猫魔盒竟然自己更新系统删除我装的APP，明显是留了后门", ("security",)),
    ("转了两条。。。被删的无影无踪了", ("regulatory",)),
    ("热门微博都删了，大家可以看看这是什么态度", ("regulatory",)),
    ("抓散布不实信息的人，不如调查真相", ("regulatory",)),
    ("支持禁绝野味市场", ("regulatory",)),
    ("为什么我的号被注册了", ("privacy",)),
    ("有套取客户资料的重大嫌疑", ("privacy",)),
    ("这师傅给我绕了两圈，撑死15块钱的事花了40", ("fraud",)),
    ("卖家少发了两款货，还给我一个假的单号", ("fraud",)),
    ("现在一些歌厅啤酒都是假的，喝完第二天很不舒服", ("fraud",)),
    ("原本非法电台九月停播，现又出现一个！谁来管谁来查？", ("regulatory",)),
    ("大家不要造谣，有人因为转发一个消息到群里被警察抓进派出所了", ("regulatory",)),
    ("我的号码不晓得被什么软件标记成了房产中介", ("privacy",)),
    ("我就在淘宝上搜了搜泡面，微博就开始每天给我推荐各种速食面", ("privacy",)),
    # fraud: round 5 rules
    ('换脸以后刷脸支付会不会有支付风险', ('biometric', 'fraud')),
    ('昨天被骗了五百块', ('fraud',)),  # the sum is one token, and holds the money cue 块
    ('他骗走了三万元', ('fraud',)),
    ('他靠骗取老人信任推销保健品', ('fraud',)),
    ('那家伙在车站骗吃骗喝半年', ('fraud',)),
    ('面粉里掺假，良心被狗吃了', ('fraud',)),
    ('菜市场那个摊主用的是鬼秤', ('fraud',)),
    ('有人拿假身份证冒名办了张卡', ('fraud',)),
    ('酒吧里遇到酒托，一瓶酒三千', ('fraud',)),
    ('医院门口的医托专拉外地病人', ('fraud',)),
    ('吃了半天烤串原来是假羊肉', ('fraud',)),
    ('买三斤苹果才给两斤半', ('fraud',)),
    ('药店把普通口罩当医用口罩卖', ('fraud',)),
    ('有人回收用过的口罩再重新卖', ('fraud',)),
    ('那辆出租车的计价器做了手脚', ('fraud',)),
    ('QQ号被盗了，有人冒我找同学借钱', ('fraud', 'security')),
    ('导游哄骗游客去买自费项目', ('fraud',)),
    ('那伙人专门欺骗淳朴的村民', ('fraud',)),
    ('网购被人骗了，订单根本查不到', ('fraud',)),
    ('这种公司以骗敛财多年', ('fraud',)),
    ('教你识别假币的三个小窍门', ('fraud',)),
    ('司机掉包找给我一张假钞', ('fraud',)),
    # privacy: round 5 rules
    ('骗子连我姓名和单位都知道', ('privacy',)),
    ('推销员连我家住址全都清楚', ('privacy',)),
    ('用这种App容易被监控', ('privacy',)),
    ('感觉自己随时被监听', ('privacy',)),
    ('我们的微信聊天被监控了', ('privacy',)),
    ('他老是偷看我的日记', ('privacy',)),
    ('公司监控员工微信', ('privacy',)),
    ('客服泄露客户资料给别人', ('privacy',)),
    ('这家店倒卖业主信息', ('privacy',)),
    ('我的身份信息被他人冒用了', ('privacy',)),
    ('我的手机号被别人绑定了', ('privacy',)),
    ('这个软件后台偷偷上传通讯录', ('privacy',)),
    ('有人扒出他的住址上门报复', ('privacy',)),
    ('患者的病历被发到网上', ('privacy',)),
    ('她的家庭住址被人曝光了', ('privacy',)),
    ('又被狗仔偷拍了真烦', ('privacy',)),
    ('酒店房间里有针孔偷拍', ('privacy',)),
    ('公安的舆情监控盯着网民', ('privacy',)),
    ('央视曝光精准营销偷窥用户', ('privacy',)),
    ('微博的自动定位太吓人了', ('privacy',)),
    ('这软件能人肉任何人', ('privacy',)),
    ('指纹很容易被复制', ('biometric',)),
    ('公司强制全部改成指纹打卡', ('biometric',)),
    ('小区一律刷脸门禁', ('privacy', 'biometric')),
    ('街头摄像头人脸识别抓拍行人', ('privacy', 'biometric')),
    ('这是一款人脸搜索工具', ('biometric',)),
    # regulatory: round 5 rules
    ('那部纪录片后来成了禁片', ('regulatory',)),
    ('站方处理：该用户禁发微博7天', ('regulatory',)),
    ('那家火锅店被勒令停业整顿', ('regulatory',)),
    ('趁还没删赶紧保存下来', ('regulatory',)),
    ('这条竟然还没被和谐', ('regulatory',)),
    ('誰删除了我的评论啊', ('regulatory',)),
    ('谁删了我的帖子？', ('regulatory',)),
    ('这首歌在内地一律禁唱', ('regulatory',)),
    ('派出所让我禁止在微博上讨论此事', ('regulatory',)),
    ('警方抓捕了在网上发布消息的人', ('regulatory',)),
    ('当初那8名造谣者其实说的是真话', ('regulatory',)),
    ('这家杂志社因违规被查了', ('regulatory',)),
    ('这种添加剂在欧洲被禁止使用', ('regulatory',)),
    ('他在村里开了家无证经营的诊所', ('regulatory',)),
    ('版主请注意论坛监管', ('regulatory',)),
    ('已经打12315反映这家店了', ('regulatory',)),
    ('今年315晚会点名了好几家车企', ('regulatory',)),
    ('看完315再也不敢买这个品牌了', ('regulatory',)),
    ('注册微博强制实名，太烦了', ('regulatory',)),
    ('网络实名制开始实行了吗', ('regulatory',)),
    ('写完的书一直下不了书号', ('regulatory',)),
    ('北京工商曝光了一批黑中介', ('regulatory',)),
    ('已经向工商局投诉这家店了', ('regulatory',)),
    ('宣传部门又不准媒体报道了', ('regulatory',)),
    ('QQ把我限号了，申诉也没用', ('regulatory',)),
    ('工商局吊销了这家公司的营业执照', ('regulatory',)),
    ('群发的短信被运营商屏蔽了', ('regulatory',)),
    ('当当网把这家出版社的图书下架了', ('regulatory',)),
    ('这本小说的审批和出版拖了三年', ('regulatory',)),
    ('民航局决定免收这次的退票费', ('regulatory',)),
    ('又被炸号了', ('regulatory',)),
    ('搜索结果未予显示，真可笑', ('regulatory',)),
    # security: round 5 rules
    ('我的电话号码泄露到外地去了', ('privacy',)),
    ('网站数据库被拖，用户密码全泄露', ('security',)),
    ('我的微信昨天被盗了', ('security',)),
    ('扣扣被盗了，别理借钱消息', ('fraud', 'security')),
    ('我的号被黑了，好友全没了', ('security',)),
    ('病毒入侵电脑，文件全丢', ('security',)),
    ('这破号居然还有人盗', ('security',)),
    ('邮箱被人盗用了', ('security',)),
    ('谁用我的号发的广告', ('security',)),
    ('你拿我的账号都干了什么', ('security',)),
    ('微博被人登了，赶紧改密码', ('security',)),
    ('谁改了我的密码啊', ('security',)),
    ('QQ提示异地登录，吓一跳', ('security',)),
    ('我的邮箱给所有好友发了链接', ('security',)),
    ('微博怎么自动发广告了', ('security',)),
    ('电脑中了病毒，文件全没了', ('security',)),
    ('这个链接有病毒，别点', ('security',)),
    ('点了一个钓鱼网站', ('fraud', 'security')),
    ('装了几个流氓软件卸不掉', ('security',)),
    ('支付宝的钱被人转走了', ('security',)),
    ('有人冒用身份证补办了我的手机卡', ('security',)),
    ('登录进去竟然不是我的账号', ('security',)),
    ('数据偷偷传回境外服务器', ('security',)),
    ('冒充客服骗取重置密码', ('fraud', 'security')),
    ('网站有漏洞，补丁还没打', ('security',)),
    # privacy and biometric: round 6 rules (wordings from knowledge, not from the labels)
    ('APP过度索权问题被工信部点名', ('privacy', 'regulatory')),
    ('老大哥在看着你', ('privacy',)),
    ('新生儿信息被医院员工打包出售', ('privacy',)),
    ('学校把全校学生的身份证号公示在官网上', ('privacy',)),
    ('成绩公示表上连家庭住址和身份证号都有', ('privacy',)),
    ('中国人的个人信息基本上是在裸奔', ('privacy',)),
    ('两千万条酒店开房记录被泄露，有没有你', ('privacy', 'security')),
    ('朋友圈晒照片暴露了家庭住址，小偷找上门', ('privacy',)),
    ('晒火车票前记得把身份证号码打码', ('privacy',)),
    ('iOS14曝光一大堆APP偷偷读取剪贴板', ('privacy',)),
    ('孩子刚出生第三天，各种奶粉和儿童摄影的推销电话就打来了，医院到底把信息卖给了谁', ('privacy',)),
    ('买了车不到一周，保险公司的电话就打过来了，谁泄露的', ('privacy',)),
    ('现在信息泄露太严重了，天天接到骚扰电话', ('privacy',)),
    ('智能音箱会一直监听你家里说的话', ('privacy',)),
    ('我们的一切都被监控着，想想就害怕', ('privacy',)),
    ('被人偷拍发到微博上还配文嘲笑', ('privacy',)),
    ('快递单别随手扔，上面有你的姓名电话和地址，撕掉再扔', ('privacy',)),
    ('身份证复印件一定要写上仅供某某用途，不然被人拿去办卡', ('privacy',)),
    ('在大数据面前我们都是透明人', ('privacy',)),
    ('微博给我推荐可能认识的人，连前任都推荐了，它怎么知道的，细思极恐', ('privacy',)),
    ('对面楼有人拿望远镜偷窥我家', ('privacy',)),
    ('网上几千张人脸照片打包出售，一张才几毛钱', ('privacy', 'biometric')),
    ('人脸识别第一案开庭', ('biometric',)),
    ('步态识别技术走路姿势都能认出你', ('biometric',)),
    ('售楼处偷偷人脸识别，有人戴头盔看房', ('privacy', 'biometric')),
    ('苹果会不会把指纹数据交给美国政府', ('biometric',)),
    ('换脸APP一夜爆红，可你的脸可能被拿去干坏事', ('biometric',)),
    ('小学生用打印的照片就骗过了丰巢的刷脸取件', ('biometric',)),
    ('有人用AI换脸把明星合成到色情片里', ('biometric',)),
    ('换脸软件生成的视频连亲妈都认不出来，以后眼见也不为实了', ('biometric',)),
    ('德国黑客用假指纹破解了iPhone5s的指纹识别', ('biometric', 'security')),
    ('FaceApp变老滤镜火了，但它的隐私条款说照片可以随便用', ('privacy', 'biometric')),
    ('你上传的自拍可能被拿去训练人脸识别算法', ('privacy', 'biometric')),
    ('小区强制安装人脸识别门禁，不刷脸不让进', ('privacy', 'biometric')),
    ('登录个游戏还要人脸识别，还要上传身份证', ('privacy', 'biometric')),
    ('办新身份证要录指纹，这些指纹存到哪里去了', ('biometric',)),
]


@pytest.mark.parametrize("text", HAPPY_LAUNCH)
def test_launch_excitement_raises_no_concern(
    tagger: Tagger, segmenter: Segmenter, text: str
) -> None:
    assert tag(tagger, segmenter, text) == ((), ())


@pytest.mark.parametrize("text", EVERYDAY_TRAPS)
def test_everyday_traps_raise_no_concern(tagger: Tagger, segmenter: Segmenter, text: str) -> None:
    assert tag(tagger, segmenter, text) == ((), ())


@pytest.mark.parametrize(("text", "concerns"), CONCERNS_CASES)
def test_concern_sentences(
    tagger: Tagger, segmenter: Segmenter, text: str, concerns: tuple[str, ...]
) -> None:
    found, terms = tag(tagger, segmenter, text)
    assert found == concerns
    assert terms  # every concern comes with its evidence


def test_evidence_terms_in_text_order(tagger: Tagger, segmenter: Segmenter) -> None:
    assert tag(tagger, segmenter, "ZAO用户协议里写着永久使用你的照片，太可怕了") == (
        ("privacy",), ("用户协议", "永久"))
    concerns, terms = tag(tagger, segmenter, CLAUSE)
    assert terms == ("不可撤销", "永久", "可转授权", "可再许可")
    assert tag(tagger, segmenter, "隐私泄露太可怕") == (("privacy", "security"), ("隐私泄露",))


def test_strong_pattern_evidence_is_the_matched_text(tagger: Tagger, segmenter: Segmenter) -> None:
    assert tag(tagger, segmenter, "谁盗了我的QQ！") == (("security",), ("盗了我的QQ",))


def test_topic_term_needs_a_cue_in_the_same_sentence(tagger: Tagger, segmenter: Segmenter) -> None:
    assert tag(tagger, segmenter, "ZAO换脸太好玩了！明天考试好担心")[0] == ()
    assert tag(tagger, segmenter, "换脸太好玩了，就是有点担心")[0] == ("biometric",)


@pytest.mark.parametrize(("text", "cut"), [
    ("昨天被骗了五百块", "五百块"),
    ("他骗走了三万元", "三万元"),
    ("被骗了一百多块钱", "一百多块"),
    ("被骗走十余万元", "十余万元"),
    ("被骗3000多元", "多元"),  # "3000" is its own token: the amount starts before "多元"
])
def test_an_amount_in_one_token_holds_its_money_cue(
    tagger: Tagger, segmenter: Segmenter, text: str, cut: str
) -> None:
    assert cut in segmenter.cut(text)  # the segmenter keeps the amount whole
    concerns, terms = tag(tagger, segmenter, text)
    assert concerns == ("fraud",) and cut not in terms  # a cue, never evidence itself


@pytest.mark.parametrize("text", ["骗子说文化多元", "骗我一万次我也信", "他骗了我三年青春"])
def test_words_that_merely_hold_numerals_are_no_amount(tagger: Tagger, segmenter: Segmenter, text: str) -> None:
    assert tag(tagger, segmenter, text)[0] == ()


def test_negated_cue_does_not_count(tagger: Tagger, segmenter: Segmenter) -> None:
    assert tag(tagger, segmenter, "换脸不用担心")[0] == ()
    assert tag(tagger, segmenter, "换脸一点也不担心")[0] == ()
    assert tag(tagger, segmenter, "换脸很担心")[0] == ("biometric",)
    assert tag(tagger, segmenter, "换脸会不会泄露")[0] != ()  # a question, not a negation


@pytest.mark.parametrize("concern", CONCERNS)
def test_mentions_never_count_as_evidence(lexicon: Lexicon, tagger: Tagger, segmenter: Segmenter,
                                          concern: str) -> None:
    terms = next(c for c in lexicon.concerns if c.concern == concern).strong
    for term in terms:
        assert tag(tagger, segmenter, f"@{term}协会 你好，今天天气不错") == ((), ()), term
        assert tag(tagger, segmenter, f"//@{term}: 转发微博") == ((), ()), term


def test_app_names_are_no_evidence_but_cue_enforcement(
    tagger: Tagger, segmenter: Segmenter
) -> None:
    assert tag(tagger, segmenter, "ZAO换脸太可怕了") == ((), ())  # 换脸 is part of the name
    assert tag(tagger, segmenter, "换脸太可怕了")[0] == ("biometric",)
    assert tag(tagger, segmenter, "ZAO被下架了")[0] == ("regulatory",)
    assert tag(tagger, segmenter, "这款口红被下架了")[0] == ()


def test_dismissal_lasts_to_the_end_of_its_clause(tagger: Tagger, segmenter: Segmenter) -> None:
    assert tag(tagger, segmenter, "我不担心隐私")[0] == ()
    assert tag(tagger, segmenter, "我不担心隐私，但是个人信息被卖了很气")[0] == ("privacy",)


def test_case_insensitive_latin_terms(tagger: Tagger, segmenter: Segmenter) -> None:
    assert tag(tagger, segmenter, "又一个DeepFake视频") == (("biometric",), ("deepfake",))


def test_tokens_that_do_not_line_up_are_tolerated(tagger: Tagger) -> None:
    text = "骗子冒充客服"
    assert tagger.tag(text, ["不", "相", "干"])[0] == ("fraud",)  # strong terms need no tokens
    assert tagger.tag(text, [])[0] == ("fraud",)


_TAGGY = st.lists(
    st.sampled_from(["ZAO", "换脸", "隐私", "不担心", "担心", "用户协议", "骗子", "冒充", "客服",
                     "，", "。", "@隐私君 ", "[哈哈]", "没有", "泄露", "会不会", "人脸", "工信部",
                     "约谈", "逢脸造戏", "DeepFake", "\n", " ", "//@某人:"]) | st.text(max_size=4),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TAGGY)
def test_tagging_invariants(text: str) -> None:
    _, tagger, segmenter = shipped_tools()
    clean = normalize(text)
    concerns, terms = tagger.tag(clean, segmenter.cut(clean))
    assert list(concerns) == [c for c in CONCERNS if c in concerns]
    assert bool(concerns) == bool(terms)
    assert len(set(terms)) == len(terms)
    for term in terms:
        assert term.lower() in clean.lower()
