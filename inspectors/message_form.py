"""信息提交 (checklist-2019 ``interaction.submit``), the pure part: does a page offer a form that
accepts a message, is it behind a login, and which links lead to one (我要写信, 我要留言 …).

* ``message_form(html)`` — ``{"found", "login", "password", "fields", "submit"}``: a form (or a
  page) with
  a message field — a ``textarea``, or an input named like the content (``content``, ``nr``,
  ``liuyan``, ``message``…) — and a control that submits it (提交, 发送, 递交, 确定 or a submit
  button); ``login`` when the page asks for a password or to log in (a login wall) instead,
  ``password`` when it has a password field.
* ``write_links(html, url)`` — the page's links to its message form, best first: their text
  (我要写信 before 写信/留言/咨询), or a URL in the ``onclick`` of a button.

Only read, never submitted: the check opens these pages and looks.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from xunjian.base.html import parse_html

CONTENT_NAME = re.compile(r"content|^nr$|neirong|liuyan|^ly|message|msg|question|wenti|"
                          r"xjnr|lynr|zxnr|detail|body|suqiu|yijian|advice", re.I)
SUBMIT_WORDS = re.compile(r"提\s*交|发\s*送|递\s*交|确\s*定|确\s*认|发\s*表|写好了|我要提交|"
                          r"submit|send|tijiao", re.I)
LOGIN_WORDS = re.compile(r"请先登录|登录后|用户登录|请登录|统一身份认证|账号登录|会员登录|实名登录|"
                         r"扫码登录|登\s*录")
STRONG_LINK = re.compile(r"我要(写信|留言|咨询|提问|投诉|建议|反映|发帖)|写\s*信|在线(咨询|留言|提问)|"
                         r"提交留言|发表留言|发起咨询|给.{1,6}写信")
WEAK_LINK = re.compile(r"^(留言|咨询|提问|写邮件|发邮件|建言献策)$")
_URL_IN_SCRIPT = re.compile(r"""['"]((?:https?://|/|\.\.?/)[^'"\s]+|[\w./-]+\.(?:html?|jsp|do|
                                aspx?|php|action)(?:\?[^'"\s]*)?)['"]""", re.X)
_SPACE = re.compile(r"\s+")


def _submit_controls(scope) -> list:
    out = []
    for el in scope.xpath(".//button|.//input[@type='submit' or @type='image' or @type='button']"
                          "|.//a|.//span[@onclick]|.//div[@onclick]|.//img[@onclick]"):
        text = " ".join([el.text_content() or "", el.get("value") or "", el.get("title") or "",
                         el.get("alt") or "", el.get("onclick") or "", el.get("id") or ""])
        kind = (el.get("type") or "").lower()
        if SUBMIT_WORDS.search(text) or (kind == "submit" and el.tag in ("input", "button")):
            out.append(el)
    return out


def _message_fields(scope) -> list:
    fields = list(scope.iter("textarea"))
    for el in scope.iter("input"):
        kind = (el.get("type") or "").lower()
        if kind in ("", "text") and CONTENT_NAME.search((el.get("name") or "")
                                                        + " " + (el.get("id") or "")):
            fields.append(el)
    fields += scope.xpath(".//*[@contenteditable='true']")
    return fields


def message_form(html: str | None) -> dict:
    """Whether ``html`` offers a form that accepts a message (see the module's docstring)."""
    doc = parse_html(html or "")
    none = {"found": False, "login": False, "password": False, "fields": [], "submit": None}
    if doc is None:
        return none
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    scopes = list(doc.iter("form")) + [doc]
    for scope in scopes:
        fields = _message_fields(scope)
        controls = _submit_controls(scope)
        if fields and controls:
            control = controls[0]
            label = _SPACE.sub("", control.text_content() or "") or control.get("value") or \
                control.get("alt") or control.get("title") or ""
            return {"found": True, "login": False, "password": False,
                    "fields": [f.get("name") or f.get("id") or f.tag for f in fields],
                    "submit": label.strip() or control.tag}
    password = bool(doc.xpath("//input[@type='password']"))
    text = _SPACE.sub("", doc.text_content() or "")
    login = password or bool(LOGIN_WORDS.search(text) and doc.xpath(
        "//form|//a[contains(@href,'login') or contains(@href,'sso')]"))
    return {**none, "login": login, "password": password}


def _link_url(el, base_url: str) -> str | None:
    href = (el.get("href") or "").strip()
    if href and not href.lower().startswith(("javascript:", "#", "mailto:")):
        return urljoin(base_url, href)
    script = " ".join([el.get("onclick") or "", href])
    found = _URL_IN_SCRIPT.search(script)
    return urljoin(base_url, found.group(1)) if found else None


def write_links(html: str | None, base_url: str) -> list[str]:
    """URLs of the page's links to its message form, best first (not the page itself)."""
    doc = parse_html(html or "")
    if doc is None:
        return []
    here = base_url.split("#", 1)[0]
    strong, weak = [], []
    for el in doc.xpath("//a|//button|//input[@type='button']|//*[@onclick]"):
        text = _SPACE.sub("", (el.text_content() or "") + (el.get("value") or "")
                          + (el.get("title") or "") + " ".join(el.xpath(".//img/@alt")))
        if not text or len(text) > 12:
            continue  # a letter's title in the list, not a button
        url = _link_url(el, base_url)
        if not url or url.split("#", 1)[0] == here or \
                urlsplit(url).scheme not in ("http", "https"):
            continue
        if STRONG_LINK.search(text):
            strong.append(url)
        elif WEAK_LINK.match(text):
            weak.append(url)
    return list(dict.fromkeys(strong + weak))
