"""Invented complaints for benchmarks: deterministic, 100–300 characters, with a category label.

Composed from fragments written for kesu (no third-party text). Names, numbers and amounts are
fictitious. `generate(n, seed)` always returns the same complaints for the same arguments.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

OPENINGS = [
    "你好，我要反映一个问题。",
    "本人是贵司的老客户，",
    "我想投诉一下，",
    "麻烦帮我看看这个事情，",
    "客服你好，",
    "实在没办法了才来留言：",
    "我姓王，手机13800001234，",
    "我是李女士，",
    "",
]

TOPICS: dict[str, dict[str, list[str]]] = {
    "信用卡": {
        "background": [
            "我名下有一张白金信用卡，",
            "上个月刚激活的联名卡，",
            "我的信用卡用了五年，",
            "去年在网点办的副卡，",
        ],
        "problem": [
            "账单里多了一笔{amount}元的年费，当初说好免年费的。",
            "我按时全额还款，系统却显示逾期，影响了征信。",
            "卡片在我手上，却被异地盗刷了{amount}元。",
            "额度没有任何通知就从五万降到了三千。",
            "分期手续费比办理时说的高出一倍。",
            "催收电话一天打十几次，连我单位同事都接到了。",
        ],
    },
    "贷款": {
        "background": ["我在贵行办了一笔消费贷，", "房贷还了三年，", "手机上借的网贷，", "经营贷已经结清，"],
        "problem": [
            "提前还款还要收{amount}元违约金，合同里根本没写。",
            "贷款结清两个月了，征信上还显示未结清。",
            "放款时被强制搭售了一份保险。",
            "实际年化利率远超宣传的利率。",
            "利率调整后月供没有变化，也没人解释。",
            "放款前客户经理收了我{amount}元的服务费。",
        ],
    },
    "保险": {
        "background": [
            "前年买了一份重疾险，",
            "家里车险今年到期，",
            "给孩子买的医疗险，",
            "业务员推荐的年金险，",
        ],
        "problem": [
            "住院花了{amount}元，理赔申请被拒绝了。",
            "想退保只能拿回一小部分保费，投保时没人说过。",
            "理赔材料交齐一个多月了，还是没有结果。",
            "续保保费突然上涨，没有任何说明。",
            "免责条款当时业务员一句都没提。",
            "保单被人代签了名字，我根本不知情。",
        ],
    },
    "宽带": {
        "background": ["家里装的光纤宽带，", "办的融合套餐，", "小区的宽带用了两年，", "新房刚装的宽带，"],
        "problem": [
            "晚上网速慢得连网页都打不开。",
            "这个月断网五次，每次都要等好几天才修。",
            "已经办了销户，还在每月扣{amount}元月租。",
            "装机师傅约了三次都没上门。",
            "套餐被私自升级，多扣了{amount}元。",
            "光猫坏了报修一周没人管。",
        ],
    },
    "网购": {
        "background": [
            "我在平台买了一台手机，",
            "双十一下单的家电，",
            "给老人买的保健品，",
            "网上订的一套家具，",
        ],
        "problem": [
            "收到的是翻新机，商家拒绝退货。",
            "付了{amount}元，一直不发货，客服也联系不上。",
            "商品和宣传图完全不一样，退款申请被驳回。",
            "快递显示签收了，可我根本没收到。",
            "七天无理由退货被商家以各种理由拒绝。",
            "质量有问题，商家只愿意补偿{amount}元优惠券。",
        ],
    },
}

PROCESS = [
    "我打了好几次客服电话，每次都说会有专人联系，结果一直没人回。",
    "去网点问，工作人员让我找总部，总部又让我找网点。",
    "客服只会说按流程处理，问流程要多久也说不清楚。",
    "上周提交的工单编号是GD20240001，到现在还是处理中。",
    "客服态度很差，说完就挂电话。",
    "已经拖了快一个月，每次都说在核实。",
]

FEELINGS = [
    "真的太气人了！",
    "我现在非常失望。",
    "这种做法太不负责任了。",
    "我一个老人家来回跑了好几趟，实在折腾不起。",
    "说实话有点心寒。",
    "",
]

DEMANDS = [
    "请尽快退还多收的{amount}元。",
    "要求给出书面解释并道歉。",
    "希望三个工作日内给我答复。",
    "如果再不处理，我只能向监管部门反映了。",
    "请帮我把征信记录改正过来。",
    "要求赔偿我的损失。",
    "麻烦尽快安排人处理。",
]

CLOSINGS = ["谢谢。", "盼复。", "请尽快回电。", ""]


def _amount(rng: random.Random) -> str:
    return str(rng.choice([50, 99, 120, 300, 580, 1200, 3000, 8800]))


def _fill(fragment: str, rng: random.Random) -> str:
    return fragment.replace("{amount}", _amount(rng))


def complaint(rng: random.Random) -> tuple[str, str]:
    """One (text, category) pair of 100–300 characters."""
    category = rng.choice(sorted(TOPICS))
    topic = TOPICS[category]
    target = rng.randint(100, 300)
    parts = [rng.choice(OPENINGS), rng.choice(topic["background"]), _fill(rng.choice(topic["problem"]), rng)]
    extra = [*PROCESS, *FEELINGS, *(_fill(p, rng) for p in topic["problem"])]
    rng.shuffle(extra)
    while sum(map(len, parts)) < target - 40 and extra:
        parts.append(extra.pop())
    parts += [_fill(rng.choice(DEMANDS), rng), rng.choice(CLOSINGS)]
    text = "".join(parts)
    while len(text) < 100:
        text += rng.choice(PROCESS)
    return text[:300], category


def generate(n: int, seed: int) -> Iterator[tuple[str, str]]:
    """`n` complaints, the same ones for the same seed."""
    rng = random.Random(seed)
    for _ in range(n):
        yield complaint(rng)
