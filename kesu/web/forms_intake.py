"""The intake form: parsing and checking what a handler typed, with a Chinese message per field.

Only the form of each value is checked here (a phone number that cannot be dialled, an ID whose
check digit is wrong, a time in the future, a file of the wrong type). Whether the legally required
elements are all there is `kesu.cases.intake.missing_elements`' question: missing ones are flagged,
never refused. The services check everything again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kesu.accounts.models import OrgUnit, User
from kesu.analysis.inputs import check_text
from kesu.analysis.types import InputError
from kesu.cases import intake
from kesu.cases.errors import InvalidInput
from kesu.cases.models import CHANNELS, INDUSTRIES, Case, Complainant
from kesu.cases.selectors import units_in_scope
from kesu.cases.services_attachments import AUTO, EXTENSIONS, check_upload

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
PHONE_HINT = "手机号为 1 开头的 11 位数字，座机请带区号（如 021-12345678）"
_PHONE_JUNK = re.compile(r"[\s\-()（）]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_phone(raw: str) -> str:
    """The number as digits (country code dropped); ValidationError if it cannot be a phone number."""
    text = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not text:
        return ""
    digits = text.removeprefix("+")
    if not digits.isdigit():
        raise ValidationError(f"电话号码只能包含数字、空格、短横线和括号。{PHONE_HINT}")
    digits = digits[4:] if digits.startswith("0086") else digits
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    mobile = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    landline = digits[0] == "0" and 10 <= len(digits) <= 12
    service = len(digits) == 10 and digits[:3] in ("400", "800")
    local = 7 <= len(digits) <= 8 and digits[0] not in "01"
    if not (mobile or landline or service or local):
        raise ValidationError(f"电话号码格式不正确：{PHONE_HINT}")
    return digits


def _birth_date_ok(text: str) -> bool:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= timezone.localdate()


def _resident_id_problem(number: str) -> str | None:
    if len(number) == 15:
        return None if _birth_date_ok("19" + number[6:12]) else "身份证号码中的出生日期不存在，请核对"
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return f"居民身份证号码应为 18 位（旧证 15 位），当前为 {len(number)} 位，请核对"
    if not _birth_date_ok(number[6:14]):
        return "身份证号码中的出生日期不存在，请核对"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(number, _ID_WEIGHTS, strict=False)) % 11]
    return None if number[17] == check else "身份证号码校验位不符，请核对是否抄错了某一位"


def _uscc_problem(code: str) -> str | None:
    if any(c not in _USCC_CHARS for c in code):
        return "统一社会信用代码含有不允许的字母（不使用 I、O、Z、S、V），请核对"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code, _USCC_WEIGHTS, strict=False))
    check = _USCC_CHARS[(31 - total % 31) % 31]
    return None if code[17] == check else "统一社会信用代码校验位不符，请核对"


def normalise_id_number(raw: str) -> str:
    """Resident ID (18 digits with check digit, or 15), unified social credit code, or another
    document number (passport, travel permit: letters and digits); ValidationError otherwise."""
    number = re.sub(r"\s", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if not number:
        return ""
    if not re.fullmatch(r"[0-9A-Z()]+", number):
        raise ValidationError("证件号码只能包含字母和数字，请核对")
    if number.isdigit() or (number[:-1].isdigit() and number.endswith("X")):
        problem = _resident_id_problem(number)
    elif len(number) == 18 and number[:2].isalnum() and number[2:8].isdigit():
        problem = _uscc_problem(number)
    else:
        ok = 6 <= len(number) <= 20 and number[0].isalpha()
        problem = None if ok else "证件号码格式不正确（护照、港澳台通行证等以字母开头，6–20 位）"
    if problem:
        raise ValidationError(problem)
    return number


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        depth = max(obj.path.count("/") - 2, 0)
        return "\u3000" * depth + obj.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's recipe); cleans to a list, possibly empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _area(rows: int, placeholder: str = "", **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder, **attrs})


class IntakeForm(forms.Form):
    text = forms.CharField(
        label="投诉内容",
        strip=False,
        error_messages={"required": "请填写投诉内容：客户说了什么，尽量记录原话"},
        widget=_area(11, "边听边记：客户的原话、经过、情绪……", autofocus=True),
    )
    request = forms.CharField(
        label="投诉请求", required=False, widget=_area(2, "客户要求什么（退费、道歉、赔偿……）")
    )
    facts = forms.CharField(
        label="主要事实", required=False, widget=_area(3, "时间、地点、经过；未填时以投诉内容为准")
    )
    grounds = forms.CharField(label="投诉理由", required=False, widget=_area(3, "客户认为哪里不对、依据什么"))
    product = forms.CharField(label="产品", required=False, max_length=100)
    respondent = forms.CharField(label="被投诉机构或人员", required=False, max_length=200)
    complainant_name = forms.CharField(label="投诉人姓名/名称", required=False, max_length=100)
    complainant_phone = forms.CharField(label="联系电话", required=False, max_length=30)
    complainant_id_number = forms.CharField(label="证件号码", required=False, max_length=30)
    on_behalf = forms.BooleanField(label="代为投诉", required=False)
    agent_name = forms.CharField(label="代理人姓名", required=False, max_length=100)
    power_of_attorney = forms.BooleanField(label="已收授权委托书", required=False)
    channel = forms.ChoiceField(label="渠道", choices=list(CHANNELS.items()), initial="phone")
    received_at = forms.DateTimeField(
        label="收到时间",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        error_messages={"required": "请填写收到投诉的时间（处理时限由此起算）", "invalid": "时间格式不正确"},
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    industry = forms.ChoiceField(
        label="行业", required=False, choices=[("", "（未选择）"), *INDUSTRIES.items()]
    )
    unit = UnitChoiceField(
        label="受理机构",
        queryset=OrgUnit.objects.none(),
        required=False,  # left out: the user's own unit
        empty_label=None,
        error_messages={"invalid_choice": "受理机构不在您的管辖范围内"},
    )
    attachments = MultipleFileField(label="附件", required=False)
    attachment_kind = forms.ChoiceField(
        label="附件类型",
        required=False,
        choices=[(AUTO, "按文件自动识别"), *intake.ATTACHMENT_KINDS.items()],
        initial=AUTO,
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        in_scope = [u.pk for u in units_in_scope(user)]
        self.fields["unit"].queryset = OrgUnit.objects.filter(pk__in=in_scope)  # type: ignore[attr-defined]
        self.fields["unit"].initial = user.unit_id
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"f-{name}")
        self.fields["attachments"].widget.attrs["accept"] = ",".join(sorted(EXTENSIONS))

    def clean_text(self) -> str:
        if not self.cleaned_data["text"].strip():
            raise ValidationError(self.fields["text"].error_messages["required"])
        try:
            return check_text(self.cleaned_data["text"])
        except InputError as exc:
            raise ValidationError(str(exc)) from None

    def clean_complainant_phone(self) -> str:
        return normalise_phone(self.cleaned_data["complainant_phone"])

    def clean_complainant_id_number(self) -> str:
        return normalise_id_number(self.cleaned_data["complainant_id_number"])

    def clean_received_at(self) -> datetime:
        value: datetime = self.cleaned_data["received_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise ValidationError("收到时间不能晚于现在，请核对")
        return value

    def clean_attachments(self) -> list[Any]:
        files: list[Any] = self.cleaned_data.get("attachments") or []
        kind = self.data.get("attachment_kind") or AUTO
        problems = []
        for f in files:
            try:
                check_upload(f, kind if kind in intake.ATTACHMENT_KINDS else AUTO)
            except InvalidInput as exc:
                problems.append(exc.message)
        if problems:
            raise ValidationError(problems)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reachable = data.get("complainant_name", "").strip() or data.get("complainant_phone")
        if not reachable and "complainant_phone" not in self.errors:
            self.add_error("complainant_name", "请至少记录投诉人姓名或联系电话之一，以便告知处理结果")
        return data

    def case_fields(self) -> dict[str, Any]:
        """The cleaned values as `services.case_open` takes them."""
        d = self.cleaned_data
        keys = ("text", "channel", "industry", "received_at", "product", "respondent", "request")
        fields = {k: d[k] for k in keys}
        fields.update({k: d[k] for k in ("facts", "grounds", "on_behalf", "agent_name", "power_of_attorney")})
        fields.update(
            complainant_name=d["complainant_name"].strip(),
            complainant_phone=d["complainant_phone"],
            complainant_id_number=d["complainant_id_number"],
            unit_id=d["unit"].pk if d.get("unit") else self.user.unit_id,
        )
        return fields


def missing_from_data(data: Any) -> list[intake.Missing]:
    """The required elements missing from submitted (possibly invalid) form data, judged exactly as
    they will be on the saved case (`Case.intake_elements`)."""
    received = str(data.get("received_at", "") or "").strip()
    who = Complainant(
        name=str(data.get("complainant_name", "")), phone=str(data.get("complainant_phone", ""))
    )
    draft = Case(
        channel=str(data.get("channel", "")),
        complainant=who,
        on_behalf=bool(data.get("on_behalf")),
        agent_name=str(data.get("agent_name", "")),
        power_of_attorney=bool(data.get("power_of_attorney")),
        **{k: str(data.get(k, "")) for k in ("text", "respondent", "request", "facts", "grounds")},
    )
    # The draft holds no parsed time; what matters here is whether one was given.
    return intake.missing_elements(replace(draft.intake_elements(), received_at=received))
