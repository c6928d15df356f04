"""Demo complaint templates written for kesu (invented people and fictitious numbers only).

`demo_complaints(n)` composes `n` complaints deterministically (no randomness): template × detail
× tone × escalation, so the demo covers industries, channels, risk levels and customer types.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle, islice

# (industry, product, respondent, request, text with {amount} {place} {when})
TEMPLATES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "banking",
        "信用卡",
        "信用卡中心",
        "退还年费",
        "{when}发现信用卡被扣了{amount}元年费，办卡时{place}的工作人员说首年免年费，根本没提第二年要收。",
    ),
    (
        "banking",
        "个人贷款",
        "{place}信贷部",
        "说明利率并退还多收利息",
        "我在{place}办的经营贷，合同写的年化利率和实际每月扣款对不上，{when}算了一下多扣了{amount}元。",
    ),
    (
        "banking",
        "储蓄卡",
        "{place}柜面",
        "解除账户冻结",
        "我的工资卡{when}突然被冻结非柜面交易，去{place}问，柜员只说是系统风控，让我自己打客服，来回跑了三趟。",
    ),
    (
        "banking",
        "理财产品",
        "{place}理财经理",
        "赔偿亏损",
        "{when}在{place}买的理财，理财经理说保本稳健，现在亏了{amount}元，风险测评是她帮我勾的。",
    ),
    (
        "banking",
        "手机银行",
        "电子银行部",
        "恢复转账功能",
        "手机银行{when}升级以后一直转不了账，提示系统繁忙，耽误了我给供应商付{amount}元货款。",
    ),
    (
        "insurance",
        "重疾险",
        "理赔部",
        "按合同赔付",
        "我父亲{when}确诊住院，申请重疾理赔，你们以未如实告知为由拒赔，当时业务员根本没问过病史，保额{amount}元。",
    ),
    (
        "insurance",
        "车险",
        "{place}理赔中心",
        "尽快定损赔付",
        "{when}出的车险事故，报案后定损员拖了两周才来，维修厂垫付的{amount}元到现在还没赔。",
    ),
    (
        "insurance",
        "分红险",
        "{place}营销员",
        "全额退保",
        "营销员当初说这是存款，三年后连本带利取出来，{when}想退保才知道只能拿回{amount}元。",
    ),
    (
        "insurance",
        "意外险",
        "客服中心",
        "退还保费",
        "我从来没买过意外险，{when}发现每月被扣{amount}元保费，客服说是办贷款时捆绑的。",
    ),
    (
        "securities",
        "股票账户",
        "{place}营业部",
        "说明佣金标准并退还差额",
        "开户时{place}营业部说佣金万分之二，{when}对账单显示按万分之三收的，一年多收了{amount}元。",
    ),
    (
        "securities",
        "基金定投",
        "客服中心",
        "停止扣款",
        "{when}申请终止基金定投，结果这个月还是扣了{amount}元，打客服一直排队没人接。",
    ),
    (
        "telecom",
        "宽带",
        "{place}营业厅",
        "退还违约金",
        "{when}搬家要注销宽带，营业厅说合约没到期要交{amount}元违约金，办理时根本没人说有合约期。",
    ),
    (
        "telecom",
        "手机套餐",
        "客服热线",
        "恢复原套餐并退费",
        "我的手机套餐{when}被改成了高价套餐，我从没同意过，每月多扣{amount}元，客服说是我自己点的短信链接。",
    ),
    (
        "telecom",
        "增值业务",
        "增值业务部",
        "退订并退款",
        "话费里有好几项增值业务我都没订过，{when}查到已经扣了{amount}元，要求全部退订退款。",
    ),
    (
        "ecommerce",
        "家电",
        "商家客服",
        "退货退款",
        "{when}买的洗衣机送来就漏水，商家说要先寄回检测，运费{amount}元还要我自己出。",
    ),
    (
        "ecommerce",
        "生鲜",
        "平台客服",
        "退款并道歉",
        "{when}买的车厘子到货一半是烂的，拍了照片，客服只肯退{amount}元优惠券，态度还很差。",
    ),
    (
        "ecommerce",
        "会员服务",
        "平台会员中心",
        "取消自动续费并退款",
        "会员到期后被自动续费{amount}元，开通时没有任何提醒，{when}想取消找不到入口。",
    ),
    (
        "general",
        "健身卡",
        "{place}健身门店",
        "退还剩余费用",
        "{when}门店突然关门，我办的年卡还剩{amount}元没用，电话打不通，店长也联系不上。",
    ),
    (
        "general",
        "预付卡",
        "{place}美容店",
        "退还余额",
        "美容店{when}说要转让，卡里{amount}元余额不给退，只让去另一家店用，那家店离我很远。",
    ),
    (
        "banking",
        "信用卡",
        "催收部门",
        "停止骚扰并说明欠款",
        "信用卡逾期后催收{when}打电话到我单位和我父母家，说不还就上门，欠款明细也说不清，只有{amount}元。",
    ),
    (
        "banking",
        "ATM",
        "{place}自助银行",
        "退回吞卡期间被扣的钱",
        "{when}在{place}的ATM取款，钱没吐出来账上却扣了{amount}元，打电话说要等调账，已经一周了。",
    ),
    (
        "insurance",
        "医疗险",
        "理赔部",
        "补足赔付",
        "住院花了{amount}元，医疗险只赔了一小部分，理赔员说有些药不在目录里，{when}合同里没写清楚。",
    ),
    (
        "telecom",
        "国际漫游",
        "客服热线",
        "减免漫游费",
        "{when}出差回来发现漫游费{amount}元，出发前营业厅说已经开了优惠包，结果没生效。",
    ),
    (
        "ecommerce",
        "手机",
        "平台客服",
        "换新机",
        "{when}买的手机用了三天就黑屏，商家说是人为损坏不给换，我花了{amount}元。",
    ),
)

PLACES = ("浦东支行", "西湖支行", "朝阳支行", "人民路网点", "滨江营业部", "中山路营业厅")
WHENS = ("上周三", "这个月初", "11月5日", "前天", "上个月底", "昨天下午")
AMOUNTS = ("300", "1280", "56.5", "4999", "200", "15000", "880", "36")
OPENERS = ("", "你们到底管不管？", "我很失望。", "麻烦尽快处理，", "我已经打了三次电话了！", "")
TAILS = (
    "",
    "请尽快给我答复。",
    "如果三天内不解决，我就打12378投诉。",
    "再不处理我就发微博曝光你们。",
    "我已经找了律师，准备起诉。",
    "请给我一个书面答复。",
    "我今年七十多岁了，跑不动了。",
    "叫你们行长出来给我个说法！",
)
CHANNELS = ("phone", "counter", "web", "app", "wechat", "letter", "email", "regulator_transfer", "social")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("小明", "晓红", "建国", "丽华", "志强", "秀英", "海涛", "雪梅", "立新", "春燕", "国庆", "婷婷")


@dataclass(frozen=True)
class DemoComplaint:
    ref: str
    industry: str
    channel: str
    product: str
    respondent: str
    request: str
    text: str
    name: str
    phone: str
    id_number: str


def _person(k: int) -> tuple[str, str, str]:
    """A fictitious complainant; every 7th index reuses an earlier person (history, repeat complaints)."""
    p = k - 5 if k % 7 == 6 and k >= 5 else k
    name = SURNAMES[p % len(SURNAMES)] + GIVEN[(p // len(SURNAMES)) % len(GIVEN)]
    return name, f"1380000{p:04d}", f"11010119900101{p:04d}"


def demo_complaints(n: int = 200) -> list[DemoComplaint]:
    out = []
    for k, tpl in enumerate(islice(cycle(TEMPLATES), n)):
        industry, product, respondent, request, body = tpl
        place, when = PLACES[k % len(PLACES)], WHENS[(k // 3) % len(WHENS)]
        text = body.format(amount=AMOUNTS[(k // 2) % len(AMOUNTS)], place=place, when=when)
        text = OPENERS[(k // 4) % len(OPENERS)] + text + TAILS[(k // 5) % len(TAILS)]
        name, phone, id_number = _person(k)
        out.append(
            DemoComplaint(
                ref=f"DEMO-{k + 1:04d}",
                industry=industry,
                channel=CHANNELS[(k // 2) % len(CHANNELS)],
                product=product,
                respondent=respondent.format(place=place),
                request=request,
                text=text,
                name=name,
                phone=phone,
                id_number=id_number if k % 3 == 0 else "",
            )
        )
    return out
