"""The context rules of the concern lexicon, one case per example of the issue.

Everyday senses must not tag (骗你的, 欺骗自己, 照骗, 屏蔽朋友圈, 人脸香氛蜡烛, 整改 of one's
own essay) while real concerns do (an app demanding location permission, a police scam
warning, the scam message itself, an agreement taking permanent rights over faces).
Every example of the issue is its own test; the variations are written for these tests,
not taken from any data set. `terms` must show the evidence.
"""

from __future__ import annotations

import json

import pytest

from monitor.config import NlpSettings
from monitor.nlp.analyzer import make_analyzer
from monitor.nlp.apps import AppMatcher
from monitor.nlp.lexicon import load_lexicon
from monitor.nlp.normalize import normalize
from monitor.nlp.segment import Segmenter, make_segmenter
from monitor.nlp.tagger import Tagger
from monitor.types import App

WATCHLIST = (App("ZAO", ("ZAO", "逢脸造戏", "ZAO换脸")),)

Tagged = tuple[tuple[str, ...], tuple[str, ...]]


@pytest.fixture(scope="module")
def tools() -> tuple[Tagger, Segmenter]:
    lexicon = load_lexicon()
    return Tagger(lexicon, AppMatcher(WATCHLIST)), make_segmenter(lexicon.segmenter_words())


def tag(tools: tuple[Tagger, Segmenter], raw: str) -> Tagged:
    tagger, segmenter = tools
    text = normalize(raw)
    return tagger.tag(text, segmenter.cut(text))


# --- everyday senses: no concern, no terms -------------------------------------------

@pytest.mark.parametrize("text", [
    "骗你的，我早就到家了",
    "哈哈骗你的啦，礼物早就买好了",
    "骗你的啦，考试其实挺简单的，别紧张",
])
def test_pianni_de_is_a_joke(tools: tuple[Tagger, Segmenter], text: str) -> None:
    assert tag(tools, text) == ((), ())


@pytest.mark.parametrize("text", [
    "别再欺骗自己了，她早就不喜欢你了",
    "不要再欺骗自己，努力才有用",
])
def test_qipian_ziji_is_self_deception(tools: tuple[Tagger, Segmenter], text: str) -> None:
    assert tag(tools, text) == ((), ())


@pytest.mark.parametrize("text", [
    "这家店的照片就是照骗，实物差太多",
    "网红餐厅全靠照骗",
])
def test_zhaopian_is_a_flattering_photo(tools: tuple[Tagger, Segmenter], text: str) -> None:
    assert tag(tools, text) == ((), ())


@pytest.mark.parametrize("text", [
    "我把爸妈屏蔽朋友圈了",
    "设置了屏蔽朋友圈，家里人看不到",
    "他居然屏蔽我朋友圈",
    "有什么软件可以屏蔽陌生来电",
    "屏蔽了所有剧透的关键词，新剧我要自己慢慢看",
])
def test_blocking_friends_callers_and_spoilers_is_not_enforcement(
    tools: tuple[Tagger, Segmenter], text: str
) -> None:
    assert tag(tools, text) == ((), ())


@pytest.mark.parametrize("text", [
    "新买的人脸香氛蜡烛太香了",
    "人脸香氛蜡烛是今年最火的礼物，担心买不到",  # a worry cue does not rescue a look-alike
])
def test_face_candle_is_a_product(tools: tuple[Tagger, Segmenter], text: str) -> None:
    assert tag(tools, text) == ((), ())


@pytest.mark.parametrize("text", [
    "导师让我把论文整改一下",
    "我的作文被老师要求整改",
    "毕业论文第三次整改，好累",
])
def test_zhenggai_of_ones_own_essay_is_homework(
    tools: tuple[Tagger, Segmenter], text: str
) -> None:
    assert tag(tools, text) == ((), ())


# --- real concerns, with their evidence ----------------------------------------------

@pytest.mark.parametrize(("text", "terms"), [
    ("这个APP非要获取我的位置权限，不给就不能用", ("位置权限",)),
    ("一个手电筒app居然要定位权限，太离谱了", ("定位权限",)),
    ("打车软件凭什么一直获取我的位置信息？", ("位置信息",)),
])
def test_app_demanding_location_is_privacy(
    tools: tuple[Tagger, Segmenter], text: str, terms: tuple[str, ...]
) -> None:
    assert tag(tools, text) == (("privacy",), terms)


@pytest.mark.parametrize(("text", "terms"), [
    ("【警方提醒】冒充公检法的电话都是诈骗，切勿转账", ("冒充公检法", "诈骗", "转账")),
    ("民警提醒：凡是要求转账到安全账户的都是骗子", ("转账", "安全账户", "骗子")),
    ("【反诈提醒】近期有不法分子冒充快递客服，以丢件理赔为由骗取银行卡信息",
     ("反诈", "冒充", "理赔", "骗取", "银行卡")),
])
def test_police_scam_warning_is_fraud(
    tools: tuple[Tagger, Segmenter], text: str, terms: tuple[str, ...]
) -> None:
    assert tag(tools, text) == (("fraud",), terms)


def test_fake_police_call_script_is_fraud(tools: tuple[Tagger, Segmenter]) -> None:
    script = ("您好，我是XX市公安局的民警，您名下的银行卡涉嫌一起洗钱案件，"
              "请将资金转入安全账户配合调查，不要告诉任何人")
    assert tag(tools, script) == (("fraud",), ("银行卡", "洗钱", "安全账户"))


def test_safe_account_transfer_request_is_fraud(tools: tuple[Tagger, Segmenter]) -> None:
    message = "请立即将您账户内的资金转至以下安全账户，否则将冻结您的全部资产"
    assert tag(tools, message) == (("fraud",), ("安全账户",))


@pytest.mark.parametrize(("text", "terms"), [
    ("用户协议写着：您同意授予我们永久、不可撤销的权利使用您的人脸和肖像",
     ("用户协议", "永久", "不可撤销", "人脸", "肖像")),
    ("这个换脸软件的协议要求永久使用我的面部照片，吓得我卸载了",
     ("换脸", "协议", "永久", "面部")),
])
def test_permanent_rights_over_faces_are_privacy_and_biometric(
    tools: tuple[Tagger, Segmenter], text: str, terms: tuple[str, ...]
) -> None:
    assert tag(tools, text) == (("privacy", "biometric"), terms)


# --- the rules behind them -----------------------------------------------------------

def test_a_warning_not_to_fall_for_it_is_not_a_negation(
    tools: tuple[Tagger, Segmenter]
) -> None:
    assert tag(tools, "大家千万不要被骗") == (("fraud",), ("不要被骗",))
    assert tag(tools, "被骗了这么多年，原来是蜥蜴侠") == ((), ())  # no money, no scam
    assert tag(tools, "网购被骗了300块") == (("fraud",), ("被骗",))


def test_a_call_to_dox_is_not_a_privacy_complaint(tools: tuple[Tagger, Segmenter]) -> None:
    assert tag(tools, "人肉他！") == ((), ())
    assert tag(tools, "被人肉的感觉太可怕了，隐私全没了") == (("privacy",), ("被人肉", "隐私"))


def test_stolen_accounts_are_security_and_stolen_bikes_are_not(
    tools: tuple[Tagger, Segmenter]
) -> None:
    assert tag(tools, "我的微博被盗了") == (("security",), ("被盗",))
    assert tag(tools, "我的自行车被盗了") == ((), ())


def test_censored_keywords_are_platform_enforcement(tools: tuple[Tagger, Segmenter]) -> None:
    assert tag(tools, "关键词已经被屏蔽了") == (("regulatory",), ("被屏蔽",))
    assert tag(tools, "微信已经屏蔽ZAO的分享链接了") == (("regulatory",), ("屏蔽",))


def test_a_prize_claim_asking_for_details_is_not_privacy(
    tools: tuple[Tagger, Segmenter]
) -> None:
    assert tag(tools, "请将个人信息私信给我们领奖") == ((), ())
    assert tag(tools, "ZAO收集个人信息") == (("privacy",), ("收集个人", "个人信息"))


def test_a_regulator_cue_counts_at_the_end_of_a_longer_name(
    tools: tuple[Tagger, Segmenter]
) -> None:
    # The segmenter keeps 浙江省工商局 whole; its tail 工商局 is the cue, never evidence.
    assert tag(tools, "浙江省工商局要求下架问题产品") == (("regulatory",), ("下架",))
    assert tag(tools, "浙江省工商局今天开会") == ((), ())


class FixedSentiment:
    """A hand-written model: the same score for every text."""

    name = "fixed"

    def score(self, text: str) -> float:
        return 0.5


def test_analysis_records_carry_the_evidence_terms() -> None:
    analyzer = make_analyzer(list(WATCHLIST), NlpSettings(), FixedSentiment())
    line = json.dumps({"id": "p1", "text": "ZAO用户协议：永久、不可撤销地使用你的人脸"},
                      ensure_ascii=False)
    (record,) = analyzer.analyze_records([line])
    assert record["concerns"] == ["privacy", "biometric"]
    assert record["terms"] == ["用户协议", "永久", "不可撤销", "人脸"]
    (calm,) = analyzer.analyze_records(['{"id": "p2", "text": "骗你的，人脸香氛蜡烛到了"}'])
    assert (calm["concerns"], calm["terms"]) == ([], [])
