"""Everyday Weibo: background chatter, look-alike traps and the control app Pintu.

Background mentions no watched app; a small weight of it is real everyday concern
(scam calls, leaked phone numbers), labelled as such. Traps look like concern posts
to a careless matcher (照骗, 骗你的啦, 屏蔽了他, 人脸香氛蜡烛, 论文整改, zaoshang) and
carry no concern and no app. Pintu is a fictional puzzle-photo app: launch excitement,
no storm.
"""

from __future__ import annotations

from monitor.replay.templates import Bank, t
from monitor.replay.templates_long import LIFE_DIARY

LIFE_SLOTS: dict[str, tuple[str, ...]] = {
    "food": ("火锅", "麻辣烫", "小龙虾", "烧烤", "螺蛳粉", "酸菜鱼", "煎饼果子", "冒菜", "炸鸡",
             "生煎", "肠粉"),
    "hot": ("热", "闷", "晒"),
    "show": ("那部仙侠剧", "新出的悬疑剧", "那个选秀综艺", "古装剧", "那部刑侦剧"),
    "thing": ("耳机", "电饭煲", "扫地机器人", "键盘", "台灯", "行李箱", "空气炸锅"),
    "org": ("银行", "快递公司", "电商平台", "航空公司"),
    "acct": ("信用卡", "账户", "花呗", "快递"),
    "score": ("61", "62", "65", "60"),
    "pintu": ("拼图岛", "拼图岛", "Pintu"),
    "pieces": ("100", "300", "500", "1000"),
    "level": ("困难", "地狱", "限时", "双人对战", "每日挑战"),
}

LIFE_REACTIONS = (
    t("转发微博", weight=3), t("哈哈哈哈哈{ep}", "", "pos"), t("同款{eu}"), t("太真实了[允悲]"),
    t("羡慕{ep}", "", "pos"), t("+1"), t("@{who} 你看"), t("真的假的"), t("我也是{eu}"),
)
PINTU_REACTIONS = (
    t("转发微博", weight=3), t("好玩{ep}", "", "pos"), t("求链接"), t("我也在玩", "", "pos"),
    t("马住"), t("@{who} 来比赛"),
)

LIFE = Bank(
    templates=(
        t("{city}今天也太{hot}了吧，出门五分钟，流汗两小时{en}", "", "neg"),
        t("今天的晚饭是{food}，幸福感拉满{ep}", "", "pos"),
        t("又到了不想上班的时候，闹钟响了五遍{eu}", "", "neg"),
        t("开学季，宿舍楼下全是拖着行李箱的新生，好热闹{ep}", "", "pos"),
        t("家里的{pet}又把我的充电线咬断了{en}", "", "neg"),
        t("加班到{late}，地铁上全是一脸疲惫的人{eu}", "", "neg"),
        t("今天终于睡到了自然醒{ep}", "", "pos"),
        t("减肥第{n}天，今天又没忍住喝了奶茶{en}", "", "neg"),
        t("推荐{city}的一家{food}，味道绝了，就是要排队", "", "pos"),
        t("刚看完{show}的大结局，意难平{en}", "", "neg"),
        t("今天的晚霞好美，随手拍一张{ep}", "", "pos"),
        t("有没有人这周末一起去{place}？"),
        t("篮球世界杯就在家门口打，必须去现场看一场{ep}", "", "pos"),
        t("外卖又送错了，我的{food}去哪了{en}", "", "neg"),
        t("早起失败，闹钟响了三次都没听见{eu}"),
        t("我太难了，周报还没写完{en}", "", "neg"),
        t("柠檬精本精，看到别人去{place}玩了{eu}"),
        t("新买的{thing}到了，比想象中好用{ep}", "", "pos"),
        t("{city}的地铁早高峰，挤得我怀疑人生{en}", "", "neg"),
        t("今天跑了{n}公里，给自己点个赞{ep}", "", "pos"),
        t("超市里月饼已经上架了，中秋还没到呢"),
        t("在图书馆坐了一下午，效率奇低{eu}", "", "neg"),
        t("{pal}打电话问我吃饭没有，突然好想家"),
        t("秋老虎太猛了，全靠空调续命{en}", "", "neg"),
        t("考研的同学们加油，我先睡了{eu}"),
        t("收拾房间翻出了小时候的照片，那时候脸好圆{ep}", "", "pos"),
        t("今天的咖啡已经是第三杯了，心跳有点快"),
        t("雨下得好大，又忘带伞了{en}", "", "neg"),
        t("{show}开播了，先马住，周末一口气看完"),
        t("和{pal}去吃了{food}，撑到走不动{ep}", "", "pos"),
        t("{city}有什么值得去的小众景点吗？求推荐"),
        t("今天的{pet}也很可爱，每日一吸{ep}", "", "pos"),
        t("996的第{n}周，想辞职去{place}看海{eu}", "", "neg"),
        t("双十一还没到，购物车已经满了{edoge}"),
        t("听说明天降温，{city}的秋天终于要来了吗"),
        t("宿舍今天开始恢复供电了，空调终于能开了", "", "pos"),
        t("又接到自称{org}客服的电话，说我{acct}有问题要把钱转到安全账户，一听就是诈骗{en}",
          "fraud", "neg", weight=0.4),
        t("收到短信说快递丢了要理赔，让我点链接填银行卡号，骗子能不能换个套路{en}", "fraud",
          "neg", weight=0.3),
        t("提醒大家：陌生人找你要验证码一律不给，都是骗子", "fraud", "neg", weight=0.3),
        t("刚交完房子定金，装修公司的电话就一个接一个，我的个人信息到底被谁卖了{en}",
          "privacy", "neg", weight=0.3),
        t("看到又有网站几百万条用户数据泄露，赶紧去改了密码", "security", "neg", weight=0.3),
        t("我妈差点被冒充我同学的人骗走两千块，还好先打电话问了我{en}", "fraud", "neg",
          weight=0.3),
        t("为什么我刚说想买{thing}，购物App就给我推荐了？手机是不是在偷听{en}", "privacy", "neg",
          weight=0.3),
    ),
    reactions=LIFE_REACTIONS,
    hashtags=(t("#今日份碎碎念#"), t("#晚安#"), t("#打卡#"), t("#吃货的日常#")),
    hashtag_rate=0.1,
    long=LIFE_DIARY,
    long_rate=0.02,
)

TRAP = Bank(
    templates=(
        t("骗你的啦，今天根本没下雨{edoge}", "", "pos"),
        t("哈哈哈骗你的啦，我怎么可能十点就睡{edoge}", "", "pos"),
        t("别再欺骗自己了，明天开始减肥是不可能的{en}", "", "neg"),
        t("每天对着镜子欺骗自己：我瘦了{eu}"),
        t("网友见面现场：说好的美女呢？全是照骗{en}", "", "neg"),
        t("P图P出了照骗的效果，我自己都认不出来{edoge}", "", "pos"),
        t("{place}这家民宿纯属照骗，和图片完全是两个地方{en}", "", "neg"),
        t("朋友圈屏蔽了爸妈，周末偷偷去{place}玩{ep}", "", "pos"),
        t("已经把他屏蔽了，眼不见心不烦{eu}", "", "neg"),
        t("屏蔽了所有剧透的关键词，{show}我要自己慢慢看"),
        t("买了个人脸香氛蜡烛，摆在书桌上特别有艺术感{ep}", "", "pos"),
        t("人脸香氛蜡烛点起来有点诡异，但是真的好香{edoge}", "", "pos"),
        t("导师说我论文第三章逻辑不行，让我整改，改到{late}还没改完{en}", "", "neg"),
        t("宿舍卫生检查没过，要求整改，今晚全员大扫除{eu}"),
        t("作文被语文老师退回来整改了三次{en}", "", "neg"),
        t("换了新手机号，大家记得更新一下通讯录哈"),
        t("手机号用了十年了，舍不得换{eu}"),
        t("zaoshang hao！今天也要元气满满{ep}", "", "pos"),
        t("Zaoan~ 早起打卡第{n}天，坚持住{ep}", "", "pos"),
        t("今天在Zaobao上看到一篇讲{city}小吃的文章，好想去"),
        t("老家Zaozhuang的辣子鸡，谁吃谁知道{ep}", "", "pos"),
        t("辅导拼音作业：zaofan 早饭，zaoshang 早上，孩子全写成了zaosang{en}", "", "neg"),
        t("周末在家拼了一千片的拼图，最后一片找不到了{en}", "", "neg"),
        t("面部护理做完感觉脸都亮了{ep}", "", "pos"),
        t("这个面部精华真的好用，已经回购第三瓶了", "", "pos"),
        t("泄露剧情的都拉黑！{show}我还没看完呢{en}", "", "neg"),
        t("数据安全这门课期末考了{score}分，终于不用补考了{ep}", "", "pos"),
        t("重温黑客帝国，二十年了还是好看", "", "pos"),
        t("骗子！说好的只吃一口，结果把我的{food}吃光了{edoge}"),
        t("验证码怎么一直收不到，是不是手机欠费了{eu}"),
        t("被我妈骗回家吃饭，结果是去相亲{en}", "", "neg"),
        t("体检报告出来了，各项指标都正常，不用担心了{ep}", "", "pos"),
        t("朋友圈设置了三天可见，谁也别想翻我黑历史{edoge}"),
        t("今天试了个变脸特效，把{pal}笑得不行{ep}", "", "pos"),
        t("刷脸进站真方便，再也不用翻包找公交卡了", "", "pos", weight=0.5),
    ),
    reactions=LIFE_REACTIONS,
)

PINTU = Bank(
    templates=(
        t("新出的{pintu}好上头，把自己拍的照片切成拼图再拼回去{ep}", "", "pos"),
        t("{pintu}上线了！第一关就卡了十分钟{eu}"),
        t("用{pintu}把{pet}的照片做成了{pieces}片的拼图，拼完超有成就感{ep}", "", "pos"),
        t("{pintu}的{level}模式真的难，谁过了教教我{eu}"),
        t("和{pal}在{pintu}上比谁拼得快，又输了{en}", "", "neg"),
        t("地铁上玩{pintu}，坐过了两站{eu}"),
        t("{pintu}画风好治愈，睡前拼一张刚刚好{ep}", "", "pos"),
        t("{pintu}有安卓版吗？在线等"),
        t("{pintu}有点卡，希望下个版本优化一下{en}", "", "neg"),
        t("推荐一个最近在玩的小游戏：{pintu}，可以拿自己的照片做拼图", "", "pos"),
        t("{pintu}每日挑战打卡第{n}天{ep}", "", "pos"),
        t("为了{pintu}的限时关卡熬夜到{late}{eu}"),
        t("{pintu}的背景音乐好好听，有人知道叫什么吗"),
        t("我妈都迷上{pintu}了，天天找我要照片拼{ep}", "", "pos"),
        t("{pintu}排行榜第一是什么神仙手速{eu}"),
        t("在{pintu}上拼完了去{place}拍的照片，好有意义{ep}", "", "pos"),
        t("{pintu}的{pieces}片模式我拼了一个小时，眼睛都花了", "", "neg"),
    ),
    reactions=PINTU_REACTIONS,
    hashtags=(t("#拼图岛#"), t("#Pintu#")),
    hashtag_rate=0.15,
)

PINTU_LATE = Bank(
    templates=(
        t("{pintu}只要相册权限，不用手机号注册，这点好评{ep}", "privacy", "pos"),
        t("玩{pintu}比玩换脸安心，起码不用上传自己的脸{edoge}", "biometric", "pos"),
        t("{pintu}官方发微博说明了隐私政策：照片只存在手机本地，不会上传", "privacy"),
    ),
    reactions=PINTU_REACTIONS,
)
