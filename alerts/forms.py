"""The saved-search form: a name, how often, and whether to email (the search itself comes from the page)."""

from __future__ import annotations

from django import forms

from alerts.models import SavedSearch


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "frequency", "email"]
        widgets = {"frequency": forms.RadioSelect}
        error_messages = {"name": {"required": "请给这个检索起个名字。", "max_length": "名称最多 100 个字。"}}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("请给这个检索起个名字。")
        return name


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="地址",
        max_length=1000,
        assume_scheme="https",
        error_messages={"required": "请填写机器人的 Webhook 地址。", "invalid": "地址应以 http:// 或 https:// 开头。"},
    )

    class Meta:
        from alerts.models import Webhook

        model = Webhook
        fields = ["kind", "url", "secret"]
        error_messages = {"kind": {"required": "请选择机器人类型。", "invalid_choice": "请选择机器人类型。"}}

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "").strip()
        if secret and self.cleaned_data.get("kind") != "dingtalk":
            raise forms.ValidationError("只有钉钉机器人需要加签密钥。")
        return secret
