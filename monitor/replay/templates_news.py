"""ZAO after the backlash: the company's responses, WeChat's block, the MIIT summons and
the decay. Each bank is used only after its event (see the pulses in `scenario`).
"""

from __future__ import annotations

from monitor.replay.templates import Bank, t
from monitor.replay.templates_long import DECAY_REVIEW

NEWS_SLOTS: dict[str, tuple[str, ...]] = {
    "miit": ("工信部", "工信部网络安全管理局", "工业和信息化部"),
    "blocked": ("已停止访问该网页", "网页存在安全风险，已被多次举报", "无法访问"),
    "since": ("上周", "前几天", "上个周末"),
}

NEWS_REACTIONS = (
    t("转发微博", weight=3), t("{eu}"), t("终于"), t("果然{eu}"), t("来了来了{eu}"),
    t("坐等后续"), t("这速度可以", "", "pos"), t("早该管管了", "", "neg"), t("[吃瓜][吃瓜]"),
    t("@{who} 看这个"),
)
DECAY_REACTIONS = (
    t("转发微博", weight=3), t("哈哈哈哈真实{ep}", "", "pos"), t("我也删了"), t("确实"),
    t("说得好", "", "pos"), t("[允悲]"),
)

ZAO_CHANGED = Bank(
    templates=(
        t("【{zao}修改用户协议】{zao}今晚更新了用户协议，在开头新增特别提示，加入“删除面孔”等选项。",
          "privacy biometric", news=True),
        t("{zao}连夜改了用户协议，加了删除面孔的选项，算是亡羊补牢？{eu}", "privacy biometric"),
        t("协议是改了，可之前上传的照片呢？{zao}打算怎么处理{en}", "privacy biometric", "neg"),
        t("{zao}改协议的速度挺快，说明大家的声音还是有用的", "privacy", "pos"),
        t("改完的协议我看了，还是有很多模糊的地方，{zao}的诚意不够{en}", "privacy", "neg"),
        t("被骂了一天，{zao}终于改协议了，可是永久授权那句到底删干净没有？", "privacy", "neg"),
        t("{zao}新协议说用户可以删除面孔了，先观望一下再决定玩不玩{eu}", "privacy biometric"),
    ),
    reactions=NEWS_REACTIONS,
    hashtags=(t("#ZAO修改用户协议#", "privacy"), t("#ZAO#")),
    hashtag_rate=0.35,
)

ZAO_REPLY = Bank(
    templates=(
        t("【{zao}回应隐私争议】{zao}官方称理解大家对隐私问题的担忧，考虑不周的地方会去改，"
          "需要一点时间。", "privacy", news=True),
        t("{zao}官方说理解大家对隐私的担忧，态度还行，看后续行动吧", "privacy"),
        t("“考虑不周的地方我们会去改”，{zao}这句话说得轻巧，用户的信息已经交出去了{en}",
          "privacy", "neg"),
        t("{zao}回应了，但一个字都没提已经收集的照片怎么办{en}", "privacy biometric", "neg"),
        t("{zao}的回应看完了，感觉就是先安抚一下情绪{eu}", "privacy", "neg"),
    ),
    reactions=NEWS_REACTIONS,
)

ZAO_APOLOGY = Bank(
    templates=(
        t("【{zao}致歉】{zao}发布声明：不会存储个人面部生物识别特征信息，换脸为技术合成的虚拟图像，"
          "不存在支付风险；用户注销账号将删除相关信息。", "biometric fraud privacy", news=True),
        t("{zao}道歉了，说不存储面部特征信息。信不信由你，反正我已经删了{eu}", "biometric",
          "neg"),
        t("道歉是道歉了，可是删掉的数据真的删干净了吗？{zao}", "privacy", "neg"),
        t("{zao}说用户注销就删数据，缓存的bug会修。早干嘛去了{smile}", "privacy", "neg"),
        t("#ZAO致歉# 这次的声明比之前有诚意多了，起码把面部数据怎么处理说清楚了", "biometric",
          "pos"),
        t("{zao}声明里说换脸不会带来刷脸支付风险，你们信吗{eu}", "fraud biometric", "neg"),
        t("从爆火到道歉，{zao}只用了四天{eu}"),
    ),
    reactions=NEWS_REACTIONS,
    hashtags=(t("#ZAO致歉#"), t("#ZAO#")),
    hashtag_rate=0.4,
)

ZAO_UPDATE = Bank(
    templates=(
        t("【{zao}更新隐私政策】{zao}通过弹窗推送新版用户协议和隐私政策，删除“永久”“不可撤销”等表述，"
          "发布换脸视频前需要真人拍摄验证。", "privacy biometric", news=True),
        t("{zao}弹窗推了新的用户协议，永久、不可撤销那些字眼都删了", "privacy"),
        t("新协议要求先真人拍摄验证才能发布换脸视频，{zao}这回算是认真了", "biometric", "pos"),
        t("{zao}新的隐私政策看了，比原来的像样多了，但我应该不会再玩了", "privacy"),
    ),
    reactions=NEWS_REACTIONS,
)

ZAO_WECHAT = Bank(
    templates=(
        t("微信屏蔽{zao}的链接了，分享出去显示“{blocked}”{eu}", "regulatory"),
        t("{zao}的微信分享链接已经打不开了，这是被屏蔽了吧", "regulatory"),
        t("微信出手了，{zao}链接被屏蔽，这波干得漂亮{ep}", "regulatory", "pos"),
        t("想把{zao}视频发给{pal}，结果微信里链接无法访问{en}", "regulatory", "neg"),
        t("{zao}在微信里被封，到底是因为隐私问题还是因为别的？{eu}", "regulatory privacy"),
        t("【微信屏蔽{zao}分享链接】用户反映，{zao}的分享链接在微信内显示“{blocked}”。",
          "regulatory", news=True),
        t("微信屏蔽{zao}链接，理由是存在安全风险。隐私协议闹成这样，被屏蔽不冤",
          "regulatory privacy", "neg"),
        t("刚还在群里发{zao}视频，现在链接点开就是{blocked}，笑死{edoge}", "regulatory"),
        t("{zao}被微信屏蔽了，下一步是不是该下架了{eu}", "regulatory"),
        t("平台都开始屏蔽了，{zao}这回事情闹大了", "regulatory", "neg"),
    ),
    reactions=NEWS_REACTIONS,
    hashtags=(t("#微信屏蔽ZAO#", "regulatory"), t("#ZAO#")),
    hashtag_rate=0.35,
)

ZAO_MIIT = Bank(
    templates=(
        t("【{miit}约谈{zao}相关公司】针对{zao}用户隐私协议不规范、存在数据泄露风险等问题，{miit}"
          "约谈相关企业，要求自查整改，依法依规收集使用用户个人信息。",
          "regulatory privacy security", news=True),
        t("{miit}出手了，{zao}被约谈，要求整改{ep}", "regulatory", "pos"),
        t("约谈之后会不会直接下架？{zao}这次有点悬{eu}", "regulatory"),
        t("{miit}要求{zao}规范收集使用个人信息，还要防范电信诈骗风险，点名点得很准",
          "regulatory privacy fraud", "pos"),
        t("从刷屏到被{miit}约谈只用了五天，{zao}也算创造纪录了{eu}", "regulatory"),
        t("能不能把所有乱收集人脸的app都约谈整改一遍，不止{zao}一个", "regulatory biometric",
          "neg"),
        t("建议{zao}直接下架，隐私协议都不规范还敢上线{en}", "regulatory privacy", "neg"),
        t("{zao}被约谈，数据泄露风险终于有人管了", "regulatory security", "pos"),
        t("监管来得比我想的快，{zao}整改之后还有人玩吗{eu}", "regulatory"),
        t("看到{miit}约谈{zao}的新闻，感觉这次是动真格的了", "regulatory"),
    ),
    reactions=NEWS_REACTIONS,
    hashtags=(t("#工信部约谈ZAO#", "regulatory"), t("#ZAO#")),
    hashtag_rate=0.4,
)

ZAO_DECAY = Bank(
    templates=(
        t("{zao}已经被我删了，换脸视频也删了，就当没玩过"),
        t("{zao}火了不到一周就凉了，互联网的记忆真短{eu}"),
        t("复盘一下{zao}这一周：上线爆火，用户协议争议，微信屏蔽，致歉，{miit}约谈。",
          "privacy regulatory"),
        t("现在还在玩{zao}的举个手{edoge}"),
        t("{zao}的事告诉我们，免费的东西最贵，尤其是拿你的脸换的", "privacy biometric", "neg"),
        t("{zao}更新之后还能用吗？好久没打开了"),
        t("以后下载app之前一定先看用户协议，{zao}给我上了一课", "privacy"),
        t("说实话{zao}的技术是真的强，可惜在隐私上栽了跟头", "privacy"),
        t("还记得{since}刷屏的{zao}吗？现在朋友圈一个都看不到了"),
        t("{zao}换脸的热度过去了，但人脸数据的问题不会过去", "biometric", "neg"),
        t("{since}还在{zao}里演{role}，今天手机里已经找不到它了{eu}"),
        t("{zao}下载榜掉得好快，评分也跌到两分左右了"),
        t("{since}玩了{zao}，到现在还有点担心照片会被拿去干嘛{en}", "biometric privacy", "neg"),
        t("{zao}风波之后，身边好多人开始认真看app的隐私权限了", "privacy"),
    ),
    reactions=DECAY_REACTIONS,
    hashtags=(t("#ZAO#"),),
    hashtag_rate=0.15,
    long=DECAY_REVIEW,
    long_rate=0.05,
)
