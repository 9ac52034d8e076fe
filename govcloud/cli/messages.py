"""Chinese for the sentences govcloud prints: errors, hints, warnings and notes.

About 500 messages are raised as English f-strings all over the package; rewriting each into a
key would touch every module and make the code read worse. Instead the CLI edge translates what
it is about to print: each entry pairs an English template with its Chinese, `{name}` marks a
value (a pool code, a path, a number) that is carried over unchanged. tests/cli/test_messages.py
walks the source and fails on a message that has no entry here, so a new message comes with its
Chinese. JSON output is for machines and keeps the English message (see docs).

Imported only when a message is shown under `--lang zh`: the patterns compile on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_FIELD = re.compile(r"\{(\w+)\}")
_WORDS = re.compile(r"[A-Za-z]{2}")
# prefixes the CLI puts before a line; what follows is translated on its own
PREFIXES = {"error: ": "错误：", "hint: ": "提示：", "note: ": "注意：", "warning: ": "警告："}
_INDENT = re.compile(r"(\s*)(.*?)(\s*)", re.DOTALL)
# where a message is about (a file, file:line, a pool code; a key in parentheses), then the message
_LOCATED = re.compile(r"(?P<where>[^\s:]+(?::\d+)?(?: \([^()]*\))?): (?P<rest>.+)", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    en: str
    zh: str

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        out, seen, at = [], set(), 0
        for m in _FIELD.finditer(self.en):
            out.append(re.escape(self.en[at : m.start()]))
            name = m.group(1)
            out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
            seen.add(name)
            at = m.end()
        out.append(re.escape(self.en[at:]))
        return re.compile("".join(out), re.DOTALL)

    def render(self, values: dict[str, str]) -> str:
        return _FIELD.sub(lambda m: values[m.group(1)], self.zh)


def translate(text: str, lang: str) -> str:
    """TEXT as a person reading LANG should see it; English (or unknown) text passes through."""
    if lang != "zh" or not _WORDS.search(text):
        return text
    return "\n".join(_line(line) for line in text.split("\n"))


def to_chinese(text: str) -> str | None:
    """The Chinese of one line, or None when some sentence in it has no entry."""
    for en, zh in PREFIXES.items():
        if text.startswith(en):
            rest = text[len(en) :]
            inner = _sentence(rest) if _WORDS.search(rest) else rest
            return None if inner is None else zh + inner
    return _sentence(text)


def _line(line: str) -> str:
    m = _INDENT.fullmatch(line)
    assert m is not None  # the pattern matches any text
    lead, body, tail = m.groups()
    if not body:
        return line
    found = to_chinese(body)
    if found is None and "; " in body:  # a list of reasons: translate what we can
        found = "；".join(_sentence(p) or p for p in body.split("; "))
    return lead + (found if found is not None else body) + tail


def _sentence(text: str) -> str | None:
    for entry in _ALL:
        m = entry.pattern.fullmatch(text)
        if m:
            return entry.render({k: _value(v) for k, v in m.groupdict().items()})
    parts = text.split("; ")
    if len(parts) > 1:
        done = [_sentence(p) if _WORDS.search(p) else p for p in parts]
        if all(d is not None for d in done):
            return "；".join(d for d in done if d is not None)
    items = text.split(", ")  # a list of counts: `3 pools, 88 departments`
    if len(items) > 1:
        said = [_sentence(i) for i in items]
        if all(x is not None for x in said):
            return "、".join(x for x in said if x is not None)
    located = _LOCATED.fullmatch(text)  # `pools.yaml:3 (steps.0.type): <message>`, `zw-prod: ...`
    if located:
        rest = _sentence(located.group("rest"))
        if rest is not None:
            return f"{located.group('where')}：{rest}"
    return None


def _value(text: str) -> str:
    """A value is kept as it is, unless it is itself a sentence we know (a nested error)."""
    if not _WORDS.search(text):
        return text
    return _sentence(text) or text


def _ordered(pairs: tuple[tuple[str, str], ...]) -> tuple[Entry, ...]:
    # the entry with the most literal text wins: `host {name}: connection closed` before
    # `host {name}: {message}`
    entries = (Entry(en, zh) for en, zh in pairs)
    return tuple(sorted(entries, key=lambda e: -len(_FIELD.sub("", e.en))))


# hints built by helper functions (closest matches, known names) and the wave reasons of migrate plan
# what PyYAML (libyaml, else pure Python) says is wrong in a file, carried in "malformed YAML:
# {problem}" (adapters/yaml_source.py); tests/cli/test_messages.py feeds it broken files
YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed in this context", "此处不允许出现映射值（检查冒号和缩进）"),
    ("mapping values are not allowed here", "此处不允许出现映射值（检查冒号和缩进）"),
    ("did not find expected '-' indicator", "未找到预期的 '-' 列表标记（检查缩进）"),
    ("did not find expected key", "未找到预期的键（检查缩进）"),
    ("did not find expected node content", "未找到预期的节点内容"),
    ("did not find expected ',' or ']'", "未找到预期的 ',' 或 ']'"),
    ("did not find expected ',' or '}'", "未找到预期的 ',' 或 '}'"),
    ("did not find expected <document start>", "未找到预期的文档开始标记"),
    ("did not find expected comment or line break", "未找到预期的注释或换行"),
    ("could not find expected ':'", "未找到预期的 ':'"),
    ("found undefined alias", "引用了未定义的别名"),
    ("found undefined alias {alias}", "引用了未定义的别名 {alias}"),
    ("found unexpected end of stream", "文件意外结束（引号或括号未闭合？）"),
    ("found character that cannot start any token", "出现了不能作为开头的字符（制表符、@ 或 `？）"),
    ("found character {c} that cannot start any token", "出现了不能作为开头的字符 {c}"),
    ("found a tab character that violates indentation", "制表符破坏了缩进（请用空格）"),
    (
        "found a tab character where an indentation space is expected",
        "此处应为缩进空格，却是制表符",
    ),
    ("found unknown escape character", "出现了未知的转义字符"),
    ("found unknown escape character {c}", "出现了未知的转义字符 {c}"),
    ("found unhashable key", "键不能是列表或映射"),
    ("but found another document", "却发现了另一个文档（一个文件只能有一个文档）"),
    ("found duplicate %YAML directive", "%YAML 指令重复"),
    ("second occurrence", "锚点重复定义（第二次出现）"),
    ("found duplicate anchor {anchor}; first occurrence", "锚点 {anchor} 重复定义"),
    ("could not determine a constructor for the tag {tag}", "无法识别的标签 {tag}"),
    ("block sequence entries are not allowed in this context", "此处不允许出现列表项"),
    ("block sequence entries are not allowed here", "此处不允许出现列表项"),
    ("expected <block end>, but found {token}", "预期块结束，却发现 {token}（检查缩进）"),
    ("failed to decode base64 data: {detail}", "base64 数据解码失败：{detail}"),
    ("unreadable", "无法读取"),
)

EXTRA: tuple[tuple[str, str], ...] = (
    (
        "block devices: from /proc/partitions (no lsblk)",
        "块设备：取自 /proc/partitions（无 lsblk）",
    ),
    ("authenticate: no answer from {whom} in {seconds} s", "认证：{whom} 在 {seconds} 秒内无应答"),
    # below sync's table (cli/sync.py)
    (
        "{region}: {mode} ({why}), {calls} API calls",
        "{region}：{mode}（{why}），{calls} 次 API 调用",
    ),
    ("{region}: {mode} ({why})", "{region}：{mode}（{why}）"),
    ("{region}: {n} {kind} in no pool: {why}", "{region}：{n} 个 {kind} 不属于任何资源池：{why}"),
    ("(`govcloud -v sync` lists them)", "（`govcloud -v sync` 可逐个列出）"),
    # OpenStack calls (adapters/openstack/calls.py): status codes and paths stay as they are
    ("{call}: {last} after {tries}{spent}", "{call}：{last}（已尝试 {tries}{spent}）"),
    ("{call}: 401 Unauthorized after re-authenticating", "{call}：重新认证后仍为 401 未授权"),
    ("{call}: 403 Forbidden: {text}", "{call}：403 禁止访问：{text}"),
    ("{call}: 406 Not Acceptable: {text}", "{call}：406 不可接受：{text}"),
    (
        "{call}: unexpected body (a JSON object was expected)",
        "{call}：响应内容不符合预期（应为 JSON 对象）",
    ),
    ("{call}: {status} but the body is not JSON", "{call}：{status}，但响应内容不是 JSON"),
    ("GET {path}: response has no {key} list", "GET {path}：响应中没有 {key} 列表"),
    (
        "GET {path}: the list is truncated by the server's list_limit",
        "GET {path}：列表被服务端的 list_limit 截断",
    ),
    (
        "GET {path}: page after marker {marker} repeats items already listed",
        "GET {path}：标记 {marker} 之后的一页重复了已列出的条目",
    ),
    (
        "GET {path}: pagination marker {marker} does not advance",
        "GET {path}：分页标记 {marker} 没有前进",
    ),
    (
        "GET {path}: TLS error reaching Keystone: {detail}",
        "GET {path}：连接 Keystone 时 TLS 错误：{detail}",
    ),
    ("GET {path}: TLS error: {detail}", "GET {path}：TLS 错误：{detail}"),
    ("GET {path}: {kind}: {detail}", "GET {path}：{kind}：{detail}"),
    ("GET {path}: {detail}", "GET {path}：{detail}"),
    (
        "authenticate (POST /v3/auth/tokens): 401 Unauthorized",
        "认证（POST /v3/auth/tokens）：401 未授权",
    ),
    ("authenticate: {status} {detail}", "认证：{status} {detail}"),
    (
        "GET /servers/detail: server {server} has no embedded flavor",
        "GET /servers/detail：云主机 {server} 没有内嵌的规格信息",
    ),
    (
        "--timeout bounds the wait for Keystone as a whole; check auth_url",
        "--timeout 限定等待 Keystone 的总时长；请检查 auth_url",
    ),
    # quota check's findings (core/quota_check.py)
    (
        "capacity unknown: run `govcloud sync` or declare physical capacity",
        "容量未知：请运行 `govcloud sync` 或声明物理容量",
    ),
    ("{count} project(s) have no limit (-1)", "{count} 个项目未设限额（-1）"),
    ("{count} project(s) have no floatingip limit (-1)", "{count} 个项目未设浮动IP限额（-1）"),
    (
        "allocated {used} exceeds capacity {cap} (limit before reserve {limit})",
        "已分配 {used} 超出容量 {cap}（扣除预留前上限 {limit}）",
    ),
    (
        "allocated {used} eats into the reserve (capacity {cap})",
        "已分配 {used}，已占用预留（容量 {cap}）",
    ),
    ("allocated {share}% of capacity", "已分配容量的 {share}%"),
    (
        "Σ quotas {quota} exceed capacity {cap} (limit before reserve {limit})",
        "配额合计 {quota} 超出容量 {cap}（扣除预留前上限 {limit}）",
    ),
    ("Σ quotas {quota} exceed capacity {cap}", "配额合计 {quota} 超出容量 {cap}"),
    ("Σ approved {approved} exceed capacity {cap}", "批复合计 {approved} 超出容量 {cap}"),
    (
        "Σ floatingip quotas of {region} {quota} exceed its public addresses {cap}",
        "{region} 的浮动IP配额合计 {quota} 超出其公网地址数 {cap}",
    ),
    ("storage capacity unknown: run `govcloud sync`", "存储容量未知：请运行 `govcloud sync`"),
    ("storage capacity unknown: {note}", "存储容量未知：{note}"),
    (
        "public addresses of {region} unknown: run `govcloud sync` (with a network service)",
        "{region} 的公网地址未知：请运行 `govcloud sync`（需要网络服务）",
    ),
    ("timed out", "超时"),
    (
        "change them in Keystone (`openstack limit set`), then re-run `govcloud quota plan`",
        "请在 Keystone 中修改（`openstack limit set`），然后重新运行 `govcloud quota plan`",
    ),
    (
        "read-only here: change them in Keystone (`openstack limit set`)",
        "此处只读：请在 Keystone 中修改（`openstack limit set`）",
    ),
    ("retry later; see the cloud's API logs", "请稍后重试；参见云平台的 API 日志"),
    ("quota changes need an admin role on this cloud", "修改配额需要该云上的 admin 角色"),
    (
        "the project may have been deleted; re-run `govcloud quota plan`",
        "该项目可能已被删除；请重新运行 `govcloud quota plan`",
    ),
    ("--output-file is not a path: {path}", "--output-file 不是路径：{path}"),
    ("-o {output} does not match the file name {name}", "-o {output} 与文件名 {name} 不符"),
    (
        "check the key out of band, then `govcloud host trust {name} --fingerprint SHA256:…`",
        "请在带外核对密钥，然后运行 `govcloud host trust {name} --fingerprint SHA256:…`",
    ),
    ("write to a new file name", "请写到一个新文件名"),
    (
        "write to a new file name, or --force to replace it",
        "请写到一个新文件名，或用 --force 替换它",
    ),
    (
        "-o xlsx needs --output-file (a workbook on a terminal is unreadable)",
        "-o xlsx 需要 --output-file（工作簿在终端上无法阅读）",
    ),
    (
        "e.g. govcloud vm list -o xlsx --output-file vms.xlsx",
        "例如 govcloud vm list -o xlsx --output-file vms.xlsx",
    ),
    ("no business system {ref}", "没有业务系统 {ref}"),
    ("{failed} of {total} {noun} failed", "{total} 个{noun}中 {failed} 个失败"),
    (
        "agent deploy failed on {failed} of {hosts} hosts: {names}",
        "代理部署在 {hosts} 台主机中的 {failed} 台上失败：{names}",
    ),
    (
        "{failed} of {total} pools failed: {reasons}",
        "{total} 个资源池中 {failed} 个失败：{reasons}",
    ),
    (
        "the store is empty: run `govcloud inventory load DIR` or `govcloud sync`",
        "存储是空的：请运行 `govcloud inventory load DIR` 或 `govcloud sync`",
    ),
    ("the inventory folder is empty", "清单文件夹是空的"),
    ("give the folder of the YAML files", "请给出 YAML 文件所在的文件夹"),
    ("limit must be 0 or more, not {limit}", "limit 须为 0 或更大，而不是 {limit}"),
    ("this govcloud handle is closed", "此 govcloud 句柄已关闭"),
    ("call govcloud.open() again", "请重新调用 govcloud.open()"),
    ("did you mean {names}?", "你是不是想找 {names}？"),
    (" (did you mean {name}?)", "（你是不是想找 {name}？）"),
    ("known: {names}", "已知：{names}"),
    ("hosts whose traffic forms a cycle move together", "流量成环的主机一起迁移"),
    (
        "part of {system} ({hosts} hosts > {max_hosts})",
        "{system} 的一部分（{hosts} 台主机 > {max_hosts}）",
    ),
    ("{n} unit(s) kept whole: {systems}", "{n} 个单元保持完整：{systems}"),
    ("dependency of wave {waves}", "被第 {waves} 波依赖"),
    ("after its dependencies {systems}", "在其依赖 {systems} 之后"),
)

# values that stand inside another sentence (a wave's phase, an empty list), not sentences
VALUES: tuple[tuple[str, str], ...] = (
    # sync: how each region was read, and why (core/incremental.py)
    ("full", "全量"),
    ("incremental", "增量"),
    ("--full given", "指定了 --full"),
    ("no pool of the region was synced before", "该区域的资源池此前从未同步"),
    ("pool {code} was never synced", "资源池 {code} 从未同步"),
    ("the last sync of pool {code} failed", "资源池 {code} 上次同步失败"),
    ("pool {code} has no trustworthy watermark", "资源池 {code} 没有可信的同步水位"),
    ("the region's pools or department declarations changed", "该区域的资源池或部门申报已变更"),
    (
        "the last full listing is {age} old (full every {every})",
        "上次全量读取已过去 {age}（每 {every} 全量一次）",
    ),
    ("changes since {since}", "自 {since} 以来的变更"),
    ("1 try", "1 次"),
    ("{count} tries", "{count} 次"),
    (" in {seconds} s", "，用时 {seconds} 秒"),
    ("(none)", "（无）"),
    ("cannot connect ({kind})", "无法连接（{kind}）"),
    ("(none registered)", "（未注册任何类型）"),
    ("non-production", "非生产"),
    ("production", "生产"),
    ("DR", "灾备"),
    ("; did you mean {name}?", "；你是不是想找 {name}？"),
    # warm reader state (cli/warm.py)
    ("running", "运行中"),
    ("not running", "未运行"),
)

# Click's own usage errors (the vendored click in typer), shown by cli/errors.py
CLICK: tuple[tuple[str, str], ...] = (
    ("Usage: {usage}", "用法：{usage}"),
    ("Try {command} for help.", "运行 {command} 查看帮助。"),
    ("Error: {message}", "错误：{message}"),
    (
        "No such option: {name} (Possible options: {options})",
        "没有这个选项：{name}（可用选项：{options}）",
    ),
    ("No such option: {name}", "没有这个选项：{name}"),
    ("Option {name} requires an argument.", "选项 {name} 需要一个参数。"),
    ("Option {name} requires {n} arguments.", "选项 {name} 需要 {n} 个参数。"),
    ("Option {name} does not take a value.", "选项 {name} 不接受值。"),
    ("Argument {name} takes {n} values.", "参数 {name} 需要 {n} 个值。"),
    ("Missing argument {name}.", "缺少参数 {name}。"),
    ("Missing option {name}.", "缺少选项 {name}。"),
    ("Missing parameter: {name}", "缺少参数：{name}"),
    ("Missing command.", "缺少命令。"),
    ("No such command {name}.", "没有这个命令 {name}。"),
    (
        "No such command {name}. Did you mean {choices}?",
        "没有这个命令 {name}。你是不是想输入 {choices}？",
    ),
    ("Got unexpected extra argument(s) ({args})", "多余的参数（{args}）"),
    ("Invalid value for {name}: {message}", "{name} 的值无效：{message}"),
    ("Invalid value: {message}", "值无效：{message}"),
    ("{value} is not one of {choices}.", "{value} 不是 {choices} 之一。"),
    ("Value {value} is not a valid {kind}.", "值 {value} 不是有效的 {kind}。"),
    ("{value} is not a valid {kind}.", "{value} 不是有效的 {kind}。"),
)


# one row per sentence, English then Chinese, kept whole so it can be grepped
# ruff: noqa: E501
CATALOGUE: tuple[tuple[str, str], ...] = (
    ("cannot write {target}: {strerror}", "无法写入 {target}：{strerror}"),
    ("cannot read the audit head {path}: {strerror}", "无法读取审计锚点文件 {path}：{strerror}"),
    ("audit head {path} is not a head file", "审计锚点 {path} 不是锚点文件"),
    (
        "restore it from its backup (or remove it to verify without a head anchor)",
        "请从备份恢复它（或删除它，在没有锚点的情况下校验）",
    ),
    ("cannot lock the audit head {path}: {strerror}", "无法锁定审计锚点 {path}：{strerror}"),
    (
        "set cacert (or verify) for this cloud in clouds.yaml",
        "请在 clouds.yaml 中为该云设置 cacert（或 verify）",
    ),
    (
        "check user name, password and project in clouds.yaml (wrong or expired?)",
        "请检查 clouds.yaml 中的用户名、密码和项目（错误或已过期？）",
    ),
    ("check the auth section of clouds.yaml", "请检查 clouds.yaml 的 auth 部分"),
    ("check auth_url in clouds.yaml", "请检查 clouds.yaml 中的 auth_url"),
    (
        "the token was rejected twice: check the credentials in clouds.yaml",
        "令牌两次被拒绝：请检查 clouds.yaml 中的凭据",
    ),
    (
        "sync needs an admin (or reader with all-projects) role on this cloud",
        "sync 需要该云上的 admin 角色（或带 all-projects 的 reader 角色）",
    ),
    (
        "the service is older than the microversion govcloud needs",
        "该服务版本低于 govcloud 所需的微版本",
    ),
    ("pool {pool_code}: {call}: 404 {resp}", "资源池 {pool_code}：{call}：404 {resp}"),
    ("pool {pool_code}: {call}: 400 {resp}", "资源池 {pool_code}：{call}：400 {resp}"),
    ("pool {pool_code}: {message}", "资源池 {pool_code}：{message}"),
    (
        "the API's pagination loops; nothing was written for this pool",
        "API 分页出现循环；该资源池未写入任何数据",
    ),
    (
        "the API's next link repeats; nothing was written for this pool",
        "API 的下一页链接重复；该资源池未写入任何数据",
    ),
    (
        "raise [DEFAULT] list_limit in the service's configuration",
        "请在该服务的配置中调大 [DEFAULT] list_limit",
    ),
    (
        "check the pool's cloud and region against {clouds_yaml}",
        "请对照 {clouds_yaml} 检查该资源池的云和区域",
    ),
    (
        "pool {pool_code}: cannot configure cloud {cloud}: {exc}",
        "资源池 {pool_code}：无法配置云 {cloud}：{exc}",
    ),
    ("check the auth section of {clouds_yaml}", "请检查 {clouds_yaml} 的 auth 部分"),
    ("clouds.yaml {path} does not exist", "clouds.yaml 文件 {path} 不存在"),
    (
        "pass --clouds-yaml PATH, or set clouds_yaml in the config file",
        "请传入 --clouds-yaml PATH，或在配置文件中设置 clouds_yaml",
    ),
    (
        "no clouds.yaml found (searched {searched}; the current directory is never searched)",
        "未找到 clouds.yaml（已查找 {searched}；从不查找当前目录）",
    ),
    (
        "pass --clouds-yaml PATH, set OS_CLIENT_CONFIG_FILE, or clouds_yaml in the config",
        "请传入 --clouds-yaml PATH，设置 OS_CLIENT_CONFIG_FILE，或在配置中设置 clouds_yaml",
    ),
    (
        "pool {pool_code}: cloud {cloud} region {region}: {exc}",
        "资源池 {pool_code}：云 {cloud} 区域 {region}：{exc}",
    ),
    (
        "pool {pool}: {service} quota of {project_id}: no {key} in reply",
        "资源池 {pool}：项目 {project_id} 的 {service} 配额：回复中没有 {key}",
    ),
    ("pool {pool}: {call}: {text}", "资源池 {pool}：{call}：{text}"),
    (
        "the change may or may not have landed: run `govcloud quota reconcile`",
        "该变更可能已生效也可能未生效：请运行 `govcloud quota reconcile`",
    ),
    (
        "pool {pool}: {call}: HTTP {status_code} {resp}",
        "资源池 {pool}：{call}：HTTP {status_code} {resp}",
    ),
    (
        "the compute API must honour microversion {NOVA_MICROVERSION}",
        "计算 API 必须支持微版本 {NOVA_MICROVERSION}",
    ),
    ("{base_url}: response is not JSON", "{base_url}：响应不是 JSON"),
    ("not a Prometheus URL: {base_url}", "不是 Prometheus 地址：{base_url}"),
    ("e.g. http://prometheus.internal:9090", "例如 http://prometheus.internal:9090"),
    ("{base_url}: query {expr} did not return a vector", "{base_url}：查询 {expr} 没有返回向量"),
    ("{base_url}: malformed result for {expr}", "{base_url}：{expr} 的结果格式错误"),
    ("{base_url}: HTTP {code}: {body}", "{base_url}：HTTP {code}：{body}"),
    (
        "check the query API is reachable and the recording rules are loaded",
        "请检查查询 API 是否可达、记录规则是否已加载",
    ),
    ("check --source URL and that it is reachable", "请检查 --source 地址及其是否可达"),
    (
        "{base_url}: response over {MAX_RESPONSE_BYTES} bytes",
        "{base_url}：响应超过 {MAX_RESPONSE_BYTES} 字节",
    ),
    ("unknown report format {f}", "未知报告格式 {f}"),
    ("no report format given", "未指定报告格式"),
    ("formats: {v}", "格式：{v}"),
    ("two reports would share a file name", "两份报告会使用同一个文件名"),
    ("department codes must differ", "部门编码必须互不相同"),
    ("output folder name contains a NUL character", "输出文件夹名称包含 NUL 字符"),
    ("cannot create output folder {path}: {strerror}", "无法创建输出文件夹 {path}：{strerror}"),
    ("{path} is not a folder", "{path} 不是文件夹"),
    ("refusing report file name {name}", "拒绝使用报告文件名 {name}"),
    ("refusing report path outside {folder}: {name}", "拒绝使用 {folder} 之外的报告路径：{name}"),
    ("cannot use the scrape TLS files: {exc}", "无法使用采集的 TLS 文件：{exc}"),
    (
        "check --ca-file, --cert-file and --key-file (PEM)",
        "请检查 --ca-file、--cert-file 和 --key-file（PEM 格式）",
    ),
    ("no spool files in {path}", "{path} 中没有缓存文件"),
    ("expected spool-YYYYMMDDTHHMMSSZ.jsonl files", "应为 spool-YYYYMMDDTHHMMSSZ.jsonl 文件"),
    ("{path} does not exist", "{path} 不存在"),
    ("give a spool directory or one spool file", "请给出一个缓存目录或一个缓存文件"),
    ("{path}: cannot read: {value}", "{path}：无法读取：{value}"),
    ("host {name}: connection closed", "主机 {name}：连接已关闭"),
    ("host {name}: {argv}: {exc}", "主机 {name}：{argv}：{exc}"),
    ("host {name}: SFTP not available", "主机 {name}：SFTP 不可用"),
    ("host {name}: put {remote}: {exc}", "主机 {name}：上传 {remote}：{exc}"),
    ("host {name}: get {remote}: {exc}", "主机 {name}：下载 {remote}：{exc}"),
    ("host {name}: list {remote}: {exc}", "主机 {name}：列出 {remote}：{exc}"),
    (
        "host {name}: cannot open a channel to {host}:{port}: {text}",
        "主机 {name}：无法打开到 {host}:{port} 的通道：{text}",
    ),
    (
        "the jump host must allow TCP forwarding (AllowTcpForwarding) to that address",
        "跳板机必须允许到该地址的 TCP 转发（AllowTcpForwarding）",
    ),
    ("host {host}: key file {file} needs a passphrase", "主机 {host}：密钥文件 {file} 需要口令"),
    (
        "run interactively to be asked, or load the key into ssh-agent",
        "请以交互方式运行以输入口令，或将密钥加载到 ssh-agent",
    ),
    (
        "host {host}: wrong passphrase for key file {file}",
        "主机 {host}：密钥文件 {file} 的口令错误",
    ),
    ("host {host}: key file {file} does not exist", "主机 {host}：密钥文件 {file} 不存在"),
    (
        "host {host}: cannot read key file {file}: {exc}",
        "主机 {host}：无法读取密钥文件 {file}：{exc}",
    ),
    (
        "host {name}: no host key pinned for {name2}: not contacted",
        "主机 {name}：{name2} 没有固定的主机密钥：未连接",
    ),
    (
        "first contact: `govcloud host trust {name} --fingerprint SHA256:…` (or --from-known-hosts FILE)",
        "首次连接：`govcloud host trust {name} --fingerprint SHA256:…`（或 --from-known-hosts FILE）",
    ),
    ("{where}: connect timed out after {connect_s} s", "{where}：连接超时（{connect_s} 秒）"),
    (
        "{path}: known_hosts is larger than {MAX_BYTES} MiB",
        "{path}：known_hosts 超过 {MAX_BYTES} MiB",
    ),
    ("cannot read {path}: {strerror}", "无法读取 {path}：{strerror}"),
    (
        "metric chunk {target}/{metric}/day {day} is malformed (step {step_s}s, {blob} bytes)",
        "指标数据块 {target}/{metric}/日期 {day} 格式错误（步长 {step_s} 秒，{blob} 字节）",
    ),
    (
        "delete that row from metric_chunk, or restore the store from a backup",
        "请从 metric_chunk 删除该行，或从备份恢复存储",
    ),
    ("not a database URL: {url}", "不是数据库 URL：{url}"),
    (
        "use a file path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
        "请使用文件路径、sqlite:///PATH 或 postgresql+psycopg://USER@HOST/DB",
    ),
    ("cannot use database URL {url}: {exc}", "无法使用数据库 URL {url}：{exc}"),
    ("cannot use store path {path}: {exc}", "无法使用存储路径 {path}：{exc}"),
    ("store {path} is not a regular file", "存储 {path} 不是普通文件"),
    ("point --db at a file", "请将 --db 指向一个文件"),
    (
        "store {path} is an empty file, not a govcloud store",
        "存储 {path} 是空文件，不是 govcloud 存储",
    ),
    (
        "run `govcloud init` to make it one, or check --db / GOVCLOUD_DB",
        "请运行 `govcloud init` 将其初始化，或检查 --db / GOVCLOUD_DB",
    ),
    (
        "{path} is not a govcloud store (a SQLite database with other tables)",
        "{path} 不是 govcloud 存储（是含有其他表的 SQLite 数据库）",
    ),
    (
        "check --db / GOVCLOUD_DB; govcloud never writes into another database",
        "请检查 --db / GOVCLOUD_DB；govcloud 从不写入其他数据库",
    ),
    ("no store at {path}", "没有存储：{path}"),
    (
        "run `govcloud init` (or `govcloud inventory load DIR`)",
        "请运行 `govcloud init`（或 `govcloud inventory load DIR`）",
    ),
    ("directory {parent} does not exist", "目录 {parent} 不存在"),
    (
        "create it first, or point --db at an existing directory",
        "请先创建它，或将 --db 指向已存在的目录",
    ),
    ("cannot read store {path}: {strerror}", "无法读取存储 {path}：{strerror}"),
    (
        "{path} is not a govcloud store (not a SQLite database)",
        "{path} 不是 govcloud 存储（不是 SQLite 数据库）",
    ),
    ("check --db / GOVCLOUD_DB", "请检查 --db / GOVCLOUD_DB"),
    ("{path} is not a readable govcloud store: {exc}", "{path} 不是可读的 govcloud 存储：{exc}"),
    ("a truncated or damaged copy? restore it from a backup", "副本被截断或损坏？请从备份恢复"),
    (
        "{path} is not a govcloud store this version knows (schema {found})",
        "{path} 不是本版本认识的 govcloud 存储（模式版本 {found}）",
    ),
    (
        "this govcloud knows schemas {KNOWN_REVISIONS}..{KNOWN_REVISIONS2}",
        "本版本 govcloud 认识的模式版本为 {KNOWN_REVISIONS}..{KNOWN_REVISIONS2}",
    ),
    ("cannot migrate store {url}: {exc}", "无法迁移存储 {url}：{exc}"),
    ("store {url} is not initialised", "存储 {url} 尚未初始化"),
    (
        "store {url} is at schema {current}, this govcloud needs {head}",
        "存储 {url} 的模式版本为 {current}，本版本 govcloud 需要 {head}",
    ),
    ("run `govcloud init` to upgrade it", "请运行 `govcloud init` 升级"),
    ("--db is empty", "--db 为空"),
    (
        "give a store file or URL, or leave --db out for the default",
        "请给出存储文件或 URL，或省略 --db 使用默认存储",
    ),
    ("store {url}: no space left on {full}", "存储 {url}：{full} 上没有剩余空间"),
    (
        "free space on {full}, then run the command again (nothing was written)",
        "请释放 {full} 上的空间，然后重新运行命令（未写入任何内容）",
    ),
    (
        "check --db / GOVCLOUD_DB and that the database server is reachable",
        "请检查 --db / GOVCLOUD_DB 以及数据库服务器是否可达",
    ),
    ("no {noun} {ref} in the store", "存储中没有{noun} {ref}"),
    (
        "`govcloud {command}` shows them; run `govcloud sync` first",
        "`govcloud {command}` 可列出它们；请先运行 `govcloud sync`",
    ),
    ("{rows} {noun}s match {ref}: {ids}", "{rows} 个{noun}匹配 {ref}：{ids}"),
    ("use the {noun} id", "请使用{noun} ID"),
    (
        "point it at node_exporter's --collector.textfile.directory",
        "请将其指向 node_exporter 的 --collector.textfile.directory",
    ),
    (
        "{path}: the textfile collector only reads *.prom files",
        "{path}：textfile 采集器只读取 *.prom 文件",
    ),
    ("name it audit.prom", "请命名为 audit.prom"),
    ("recursive YAML alias", "YAML 别名递归"),
    ("an anchor may not contain an alias to itself", "锚点不能包含指向自身的别名"),
    (
        "YAML aliases expand to {expanded} nodes from {sizes} written ones",
        "YAML 别名从 {sizes} 个书写节点展开为 {expanded} 个节点",
    ),
    (
        "a billion-laughs file? write the values out instead of nesting aliases",
        '是"十亿笑"文件吗？请直接写出值，不要嵌套别名',
    ),
    ("duplicate key {key}", "重复的键 {key}"),
    ("YAML keeps only the last one; remove the other", "YAML 只保留最后一个；请删除另一个"),
    ("no inventory folder given ({directory})", "未指定清单文件夹（{directory}）"),
    (
        "pass the folder holding pools.yaml, departments.yaml, ... e.g. inventory/example",
        "请传入包含 pools.yaml、departments.yaml 等文件的文件夹，例如 inventory/example",
    ),
    ("inventory directory {directory} does not exist", "清单目录 {directory} 不存在"),
    ("{directory} is a file, not the inventory folder", "{directory} 是文件，不是清单文件夹"),
    (
        "give the folder: {parent} (the inventory is all its YAML files)",
        "请给出文件夹：{parent}（清单是其中的全部 YAML 文件）",
    ),
    ("file is larger than {MAX_FILE_BYTES} MiB", "文件超过 {MAX_FILE_BYTES} MiB"),
    (
        "the bound keeps validation fast and small; split it or remove stray data",
        "此上限让校验保持快速、小巧；请拆分文件或删除多余数据",
    ),
    ("not UTF-8 text ({reason})", "不是 UTF-8 文本（{reason}）"),
    ("save as UTF-8", "请另存为 UTF-8"),
    ("malformed YAML: {problem}", "YAML 格式错误：{problem}"),
    (
        "check indentation and quoting near that line; tags like !!python/... are refused",
        "请检查该行附近的缩进和引号；!!python/... 之类的标签会被拒绝",
    ),
    ("YAML nested too deeply", "YAML 嵌套过深"),
    ("at most {MAX_DEPTH} levels", "最多 {MAX_DEPTH} 层"),
    ("unknown --listen {listen}", "未知的 --listen {listen}"),
    ("loopback | host", "可选：loopback | host"),
    ("the other hosts were deployed", "其他主机已部署"),
    (
        "audit run {id} ({status}, {started_at} UTC): {findings} of {all_findings} findings shown",
        "审计运行 {id}（{status}，{started_at} UTC）：显示 {findings} / {all_findings} 条发现",
    ),
    (
        "run {id} vs {id2}: {new} new, {resolved} resolved, {persisting} persisting ({severity_changed} changed severity)",
        "运行 {id} 对比 {id2}：新增 {new}，已解决 {resolved}，持续 {persisting}（{severity_changed} 条严重级别变化）",
    ),
    (
        "audit run {run_id} ({status}): {findings} findings ({counts}); reclaimable {vcpus} vCPU, {ram_gib} GiB RAM, {volume_gib} GiB volumes",
        "审计运行 {run_id}（{status}）：{findings} 条发现（{counts}）；可回收 {vcpus} vCPU、{ram_gib} GiB 内存、{volume_gib} GiB 云硬盘",
    ),
    (
        "vs run {previous_run_id}: {new} new, {resolved} resolved, {persisting} persisting",
        "对比运行 {previous_run_id}：新增 {new}，已解决 {resolved}，持续 {persisting}",
    ),
    ("check {check} failed: {error}", "检查 {check} 失败：{error}"),
    (
        "the store holds no servers yet: run `govcloud inventory load DIR` and `govcloud sync` first (or `govcloud demo` to see an audit of the example estate)",
        "存储中还没有云主机：请先运行 `govcloud inventory load DIR` 和 `govcloud sync`（或运行 `govcloud demo` 查看示例环境的审计）",
    ),
    ("{hits} finding(s) at or above {fail_on}", "{hits} 条发现达到或高于 {fail_on}"),
    ("aborted", "已中止"),
    ("interrupted", "已中断"),
    (
        "an argument is not valid UTF-8 text (typed in a GBK terminal?)",
        "有参数不是有效的 UTF-8 文本（在 GBK 终端中输入的？）",
    ),
    (
        "set the terminal and LANG to UTF-8, e.g. LANG=zh_CN.UTF-8",
        "请将终端和 LANG 设为 UTF-8，例如 LANG=zh_CN.UTF-8",
    ),
    ("a number is out of range ({exc})", "数字超出范围（{exc}）"),
    ("argument {number} contains a NUL byte", "第 {number} 个参数包含 NUL 字节"),
    (
        "argument {number} is not valid UTF-8 (typed in a GBK terminal? a GBK file name?)",
        "第 {number} 个参数不是有效的 UTF-8（在 GBK 终端中输入的？GBK 文件名？）",
    ),
    (
        "set the terminal and LANG to UTF-8 (e.g. zh_CN.UTF-8); rename GBK files",
        "请将终端和 LANG 设为 UTF-8（例如 zh_CN.UTF-8）；重命名 GBK 文件",
    ),
    (
        "argument {number} is {arg} characters long (at most {MAX_ARGUMENT_CHARS})",
        "第 {number} 个参数长 {arg} 个字符（最多 {MAX_ARGUMENT_CHARS}）",
    ),
    ("This load removes {removal_text}.", "本次加载将删除 {removal_text}。"),
    (
        "records {first_seq}..{legacy_through} predate keyed seals: checked as an unkeyed legacy hash chain",
        "记录 {first_seq}..{legacy_through} 早于带密钥的封印：按无密钥的旧式哈希链校验",
    ),
    (
        "nothing older than {cutoff} UTC: nothing pruned",
        "没有早于 {cutoff} UTC 的记录：未清理任何内容",
    ),
    ("nothing pruned", "未清理任何内容"),
    ("would {rstrip}", "将{rstrip}"),
    ("add --yes to prune", "加上 --yes 执行清理"),
    (
        "the other targets' samples were stored; details per target above",
        "其他目标的样本已保存；各目标详情见上文",
    ),
    ("--source prometheus needs a URL", "--source prometheus 需要一个 URL"),
    (
        "add --prometheus-url URL (or GOVCLOUD_PROMETHEUS_URL), or pass --source URL",
        "请加上 --prometheus-url URL（或 GOVCLOUD_PROMETHEUS_URL），或传入 --source URL",
    ),
    ("unknown --source {source}", "未知的 --source {source}"),
    ("embedded | prometheus | http(s)://URL", "可选：embedded | prometheus | http(s)://URL"),
    (
        "give a spool PATH or --from-host HOST (not both)",
        "请给出缓存路径 PATH 或 --from-host HOST（不能同时给出）",
    ),
    (
        "{records} records from {files} file(s); {skipped} line(s) skipped",
        "来自 {files} 个文件的 {records} 条记录；跳过 {skipped} 行",
    ),
    ("  {where}: torn line (incomplete write) skipped", "  {where}：跳过残缺行（写入未完成）"),
    ("{errors} host(s) or file(s) could not be fetched", "{errors} 台主机或文件无法获取"),
    ("the others were imported; details above", "其余已导入；详情见上文"),
    ("not a path: {value}", "不是路径：{value}"),
    (
        "audit run {run_id}: {findings} findings; reclaimable {vcpus} vCPU, {ram_gib} GiB RAM",
        "审计运行 {run_id}：{findings} 条发现；可回收 {vcpus} vCPU、{ram_gib} GiB 内存",
    ),
    ("{reports} report file(s), e.g. {reports2}", "{reports} 个报告文件，例如 {reports2}"),
    ("{failed} of {steps} steps failed: {v}", "{steps} 个步骤中 {failed} 个失败：{v}"),
    (
        "{department}: project {project} not found in pool {pool}",
        "{department}：资源池 {pool} 中找不到项目 {project}",
    ),
    (
        "{n} change(s){held_note} in {projects} project(s); plan {where}",
        "{projects} 个项目中 {n} 项变更{held_note}；计划 {where}",
    ),
    ("{settled} change(s) settled, {left} left open", "{settled} 项变更已落定，{left} 项仍未完成"),
    (
        "reconcile: intent #{seq} {project} {service} {intended}: {outcome} ({found})",
        "核对：意图 #{seq} {project} {service} {intended}：{outcome}（{found}）",
    ),
    ("unknown column {unknown}", "未知列 {unknown}"),
    ("columns: {v}", "列：{v}"),
    ("unknown --totals {totals}", "未知的 --totals {totals}"),
    ("use department or pool", "请使用 department 或 pool"),
    ("cannot listen on 127.0.0.1:{port}: {value}", "无法监听 127.0.0.1:{port}：{value}"),
    (
        "pick another --port, or --port 0 for any free one",
        "请换一个 --port，或用 --port 0 任选空闲端口",
    ),
    ("{others}retry with `govcloud sync {retry}`", "{others}请用 `govcloud sync {retry}` 重试"),
    ("listen address {value} is not HOST:PORT", "监听地址 {value} 不是 HOST:PORT 形式"),
    ("e.g. 127.0.0.1:9109 or [::1]:9109", "例如 127.0.0.1:9109 或 [::1]:9109"),
    ("listen address {value}: invalid host", "监听地址 {value}：主机无效"),
    ("unknown --service {service}", "未知的 --service {service}"),
    ("systemd | none", "可选：systemd | none"),
    (
        "--spool {spool_dir} must be an absolute path of letters, digits, . _ - /",
        "--spool {spool_dir} 必须是仅含字母、数字、. _ - / 的绝对路径",
    ),
    ("e.g. {STATE_DIR}/spool", "例如 {STATE_DIR}/spool"),
    (
        "--spool {spool_dir}: with a systemd unit the spool must lie under {STATE_DIR}",
        "--spool {spool_dir}：使用 systemd 单元时缓存目录必须位于 {STATE_DIR} 之下",
    ),
    (
        "the unprivileged agent may write only there; e.g. --spool {STATE_DIR}/spool",
        "无特权的代理只能写入那里；例如 --spool {STATE_DIR}/spool",
    ),
    ("{host}: python3 not found", "{host}：未找到 python3"),
    ("install python3 (>= 3.6) there", "请在该主机上安装 python3（>= 3.6）"),
    ("{host}: unexpected python3 probe output", "{host}：python3 探测输出异常"),
    (
        "{host}: python3 is {version}.{version2}; the agent needs 3.6 or later",
        "{host}：python3 版本为 {version}.{version2}；代理需要 3.6 或更高版本",
    ),
    ("install a newer python3 from the distribution", "请从发行版安装较新的 python3"),
    (
        "{host}: python3 or home path has unexpected characters",
        "{host}：python3 或主目录路径含有异常字符",
    ),
    ("{host}: {what} timed out", "{host}：{what} 超时"),
    (
        "{host}: {what} failed (exit {exit_status}): {first}",
        "{host}：{what} 失败（退出码 {exit_status}）：{first}",
    ),
    ("{host}: unexpected {what} output", "{host}：{what} 输出异常"),
    (
        "--install-dir {path} must be an absolute path of letters, digits, . _ - /",
        "--install-dir {path} 必须是仅含字母、数字、. _ - / 的绝对路径",
    ),
    ("the unit template has no ExecStart= line", "单元模板中没有 ExecStart= 行"),
    (
        "{host}: installing a systemd unit needs root; the SSH user is uid {uid}",
        "{host}：安装 systemd 单元需要 root；SSH 用户的 uid 为 {uid}",
    ),
    (
        "log in as root (sudo is not used), or deploy with --service none",
        "请以 root 登录（不使用 sudo），或使用 --service none 部署",
    ),
    ("{host}: systemd is not running there", "{host}：该主机未运行 systemd"),
    (
        "deploy with --service none (the agent runs detached with a PID file)",
        "请使用 --service none 部署（代理以后台方式运行并写 PID 文件）",
    ),
    ("unknown check type {type}", "未知的检查类型 {type}"),
    ("check {type}: {first_error}", "检查 {type}：{first_error}"),
    ("`govcloud playbook schema`", "参见 `govcloud playbook schema`"),
    ("unknown audit hash {alg}", "未知的审计哈希算法 {alg}"),
    ("use {v}", "请使用 {v}"),
    ("this system's OpenSSL has no {upper}", "本系统的 OpenSSL 不提供 {upper}"),
    (
        "use audit_hash: sha256, or run govcloud where OpenSSL 3 provides SM3",
        "请使用 audit_hash: sha256，或在 OpenSSL 3 提供 SM3 的环境中运行 govcloud",
    ),
    ("prune anchor names {alg}", "清理锚点指定了 {alg}"),
    (
        "the prune anchor's HMAC does not match: rows were deleted under a prune anchor written without the key",
        "清理锚点的 HMAC 不匹配：有记录在未带密钥写入的清理锚点下被删除",
    ),
    ("an unsealed record after sealed ones", "已封印记录之后出现未封印的记录"),
    ("sealed with unknown algorithm {alg}", "使用未知算法 {alg} 封印"),
    (
        "the record differs from the chain head anchored outside the store: the chain was rebuilt",
        "该记录与存储之外锚定的链头不一致：链已被重建",
    ),
    (
        "no record's HMAC matches this key: it is not the key that sealed the trail, or the whole trail was rebuilt without it",
        "没有任何记录的 HMAC 与此密钥匹配：这不是封印该审计日志的密钥，或整个日志在没有密钥的情况下被重建",
    ),
    (
        "its HMAC does not match: the chain from here was rebuilt without the key",
        "其 HMAC 不匹配：从此处起的链在没有密钥的情况下被重建",
    ),
    (
        "records {start}..{seq} are missing: the head anchored outside the store is seq {seq2}",
        "记录 {start}..{seq} 缺失：存储之外锚定的链头为序号 {seq2}",
    ),
    (
        "rows were deleted under a prune anchor that no log.prune record in the chain accounts for",
        "有记录在某个清理锚点下被删除，但链中没有对应的 log.prune 记录",
    ),
    ("{missing} missing", "{missing}缺失"),
    ("seq {seq} follows seq {expected}", "序号 {seq} 紧跟在序号 {expected} 之后"),
    ("its content does not match its hash", "其内容与哈希不符"),
    (
        "the record sealed as seq {seq} is gone and the later ones were renumbered (the record here was sealed as seq {other})",
        "封印为序号 {seq} 的记录已不存在，之后的记录被重新编号（此处的记录封印时为序号 {other}）",
    ),
    ("the record here was sealed as seq {other}", "此处的记录封印时为序号 {other}"),
    ("it links to the record now at seq {later}", "它链接到现位于序号 {later} 的记录"),
    ("the first record links to a predecessor", "第一条记录链接到了前一条记录"),
    (
        "seq {seq} does not link to the record before it: that record was replaced or removed",
        "序号 {seq} 没有链接到它前面的记录：那条记录被替换或删除",
    ),
    ("no inventory files found", "未找到清单文件"),
    (
        "put *.yaml files with pools/departments/systems there",
        "请把包含 pools/departments/systems 的 *.yaml 文件放在那里",
    ),
    ("expected a mapping of sections at the top level", "顶层应为各部分组成的映射"),
    ("start the file with one of: {v}", "文件应以以下之一开头：{v}"),
    ("unknown key {loc}", "未知的键 {loc}"),
    ("allowed here: {allowed}", "此处允许：{allowed}"),
    ("check the spelling in docs/inventory.md", "请对照 docs/inventory.md 检查拼写"),
    ("missing key {loc}", "缺少键 {loc}"),
    (
        "see docs/inventory.md for the required keys of each section",
        "各部分的必需键见 docs/inventory.md",
    ),
    ("{msg} (got {short})", "{msg}（实际为 {short}）"),
    ("see docs/inventory.md for the schema of each section", "各部分的结构见 docs/inventory.md"),
    (
        "duplicate {what} {attr} {value} (first declared at {file}:{line})",
        "重复的{what} {attr} {value}（首次声明于 {file}:{line}）",
    ),
    ("each {what} needs its own {attr}", "每个{what}需要自己的 {attr}"),
    ("unknown {what} {value}", "未知的{what} {value}"),
    ("declare {what} {value} first, or fix the reference", "请先声明{what} {value}，或修正引用"),
    ("pool {code} refers to unknown cloud {cloud}", "资源池 {code} 引用了未知的云 {cloud}"),
    (
        "declared clouds: {known}; add it under 'clouds:' (its clouds.yaml entry name)",
        "已声明的云：{known}；请在 'clouds:' 下添加它（即其 clouds.yaml 条目名）",
    ),
    (
        "pool {code}: cloud {cloud} has no region {region}",
        "资源池 {code}：云 {cloud} 没有区域 {region}",
    ),
    ("regions of that cloud: {v}", "该云的区域：{v}"),
    (
        "department {code} declares two projects in pool {pool}",
        "部门 {code} 在资源池 {pool} 中声明了两个项目",
    ),
    (
        "one OpenStack project per department and pool",
        "每个部门在每个资源池中只有一个 OpenStack 项目",
    ),
    ("unknown quota key {key}", "未知的配额键 {key}"),
    (
        "quota keys: {v}, or <gigabytes|volumes|snapshots>_<volume type> (e.g. gigabytes_ssd)",
        "配额键：{v}，或 <gigabytes|volumes|snapshots>_<云硬盘类型>（例如 gigabytes_ssd）",
    ),
    (
        "quota key {key}: {volume_type} is not a usable volume type name",
        "配额键 {key}：{volume_type} 不是可用的云硬盘类型名",
    ),
    (
        "volume type names here are letters, digits and _ . : + - (no spaces), as `openstack volume type list` shows them",
        "此处的云硬盘类型名由字母、数字和 _ . : + - 组成（无空格），与 `openstack volume type list` 显示的一致",
    ),
    (
        "quota {key} must be a whole number of 0 or more (got {short})",
        "配额 {key} 必须是 0 或更大的整数（实际为 {short}）",
    ),
    (
        "storage backend {name} of region {region} is declared {what}",
        "区域 {region} 的存储后端 {name} 被声明{what}",
    ),
    (
        "each Cinder backend (volume_backend_name) belongs to one pool",
        "每个 Cinder 后端（volume_backend_name）只属于一个资源池",
    ),
    (
        "price of {resource} ends ({valid_to}) on or before it starts ({valid_from})",
        "{resource} 的价格结束日期（{valid_to}）不晚于开始日期（{valid_from}）",
    ),
    (
        "valid_to is exclusive and must come after valid_from; omit it for open-ended",
        "valid_to 不含当天，必须晚于 valid_from；长期有效请省略",
    ),
    ("unknown priced resource {resource}", "未知的计价资源 {resource}"),
    (
        "use one of: {v}, or {VOLUME_TYPE_PREFIX}<volume type> (e.g. {VOLUME_TYPE_PREFIX2}ssd)",
        "请使用以下之一：{v}，或 {VOLUME_TYPE_PREFIX}<云硬盘类型>（例如 {VOLUME_TYPE_PREFIX2}ssd）",
    ),
    (
        "price of {resource} for {scope} from {valid_from} overlaps the one declared at {file}:{line} ({period})",
        "{resource} 对 {scope} 自 {valid_from} 起的价格与 {file}:{line} 声明的价格重叠（{period}）",
    ),
    (
        "end the earlier period with valid_to (exclusive) on or before this valid_from",
        "请用 valid_to（不含当天）让较早的时段在此 valid_from 当天或之前结束",
    ),
    (
        "virtualization: unknown (no systemd-detect-virt, no DMI)",
        "虚拟化：未知（无 systemd-detect-virt，无 DMI）",
    ),
    ("{key}: not run", "{key}：未运行"),
    ("{key}: no exit status (timed out or cut off)", "{key}：无退出码（超时或被截断）"),
    ("{key}: command not found", "{key}：命令不存在"),
    ("{key}: exit status {exit_status}", "{key}：退出码 {exit_status}"),
    ("os: no release file answered", "操作系统：没有任何 release 文件给出答案"),
    ("architecture: {arch}", "架构：{arch}"),
    ("lsblk: skipped a line it could not read: {line}", "lsblk：跳过了一行无法解析的内容：{line}"),
    ("df: skipped a line it could not read: {line}", "df：跳过了一行无法解析的内容：{line}"),
    (
        "netstat: skipped a line it could not read: {line}",
        "netstat：跳过了一行无法解析的内容：{line}",
    ),
    ("ss: skipped a line it could not read: {line}", "ss：跳过了一行无法解析的内容：{line}"),
    ("cannot sort by {value}", "无法按 {value} 排序"),
    ("sort keys: {v}", "排序键：{v}"),
    ("no department {ref}", "没有部门 {ref}"),
    ("no pool {ref}", "没有资源池 {ref}"),
    ("each target must be a mapping with a url", "每个目标必须是带 url 的映射"),
    ("keys: {v}", "键：{v}"),
    ("target {url} listed twice", "目标 {url} 列出了两次"),
    ("labels must map names to text", "labels 必须把名称映射到文本"),
    ("{key} must be text", "{key} 必须是文本"),
    ("target needs a url", "目标需要一个 url"),
    ("url: http://HOST:PORT/", "例如 url: http://HOST:PORT/"),
    ("target url {url} is not a URL: {exc}", "目标地址 {url} 不是 URL：{exc}"),
    (
        "an IPv6 host is written in brackets: http://[::1]:9109/metrics",
        "IPv6 主机要写在方括号中：http://[::1]:9109/metrics",
    ),
    (
        "target url {url} is not http(s)://HOST[:PORT]/PATH",
        "目标地址 {url} 不是 http(s)://HOST[:PORT]/PATH 形式",
    ),
    ("e.g. http://10.0.0.5:9109/metrics", "例如 http://10.0.0.5:9109/metrics"),
    ("target url {url} has a bad port", "目标地址 {url} 的端口无效"),
    ("targets file must be a list of {value}", "目标文件必须是 {value} 的列表"),
    (
        "{plans} host(s) without a price: not in the yearly cost",
        "{plans} 台主机没有价格：未计入年度费用",
    ),
    (
        "{code}: no Placement inventory synced; hypervisors counted as {hypervisor_cores} cores and {hypervisor_ram_gib} GiB each",
        "{code}：未同步 Placement 资源清单；每台宿主机按 {hypervisor_cores} 核、{hypervisor_ram_gib} GiB 计算",
    ),
    ("{code}: {resource} capacity unknown, not checked", "{code}：{resource} 容量未知，未检查"),
    (
        "pools {value} all take the rest of the region: {rest} takes it",
        "资源池 {value} 都要占用区域的其余部分：由 {rest} 占用",
    ),
    (
        "backend {name} is named by pools {claims} and {pool_code}: {claims2} takes it",
        "后端 {name} 同时被资源池 {claims} 和 {pool_code} 指定：归 {claims2}",
    ),
    (
        "pools {value} name no storage backends: the region's unclaimed backends go to {taker}",
        "资源池 {value} 未指定存储后端：区域中未被认领的后端归 {taker}",
    ),
    (
        "volume type {name} has {what}: placed in pool {code}",
        "云硬盘类型 {name} 有{what}：放入资源池 {code}",
    ),
    (
        "pool {pool_code} names storage backend {name}, which {region} does not have ({hint})",
        "资源池 {pool_code} 指定了存储后端 {name}，但 {region} 没有该后端（{hint}）",
    ),
    ("a playbook is a mapping with name, steps, ...", "剧本是包含 name、steps 等键的映射"),
    ("allowed here: {allowed}{v}", "此处允许：{allowed}{v}"),
    ("step `type` must be one of: {v}", "步骤的 `type` 必须是以下之一：{v}"),
    ("see docs/playbooks.md for the playbook format", "剧本格式见 docs/playbooks.md"),
    ("e.g. window: 14d", "例如 window: 14d"),
    ("window {window} is outside 1h..400d", "时间窗口 {window} 超出 1h..400d"),
    (
        "14d is the published default (AWS Compute Optimizer, Cloudpods)",
        "14d 是公开的默认值（AWS Compute Optimizer、Cloudpods）",
    ),
    (
        "schedule {short} is neither a cron line nor an OnCalendar expression",
        "计划 {short} 既不是 cron 行也不是 OnCalendar 表达式",
    ),
    (
        'e.g. "0 2 1 * *" (cron) or "*-*-01 02:00:00" (systemd OnCalendar)',
        '例如 "0 2 1 * *"（cron）或 "*-*-01 02:00:00"（systemd OnCalendar）',
    ),
    ("unknown pool {pool}", "未知资源池 {pool}"),
    ("declared pools: {v}{v2}", "已声明的资源池：{v}{v2}"),
    ("valid types: {v}{v2}", "有效类型：{v}{v2}"),
    ("unknown parameter {loc}", "未知参数 {loc}"),
    ("parameters: {v}{v2}", "参数：{v}{v2}"),
    (
        "`govcloud playbook schema` lists every parameter with its bounds",
        "`govcloud playbook schema` 列出每个参数及其范围",
    ),
    (
        "a textfile step writes the findings of an earlier audit step",
        "textfile 步骤写出前面某个 audit 步骤的发现",
    ),
    ("put an `audit` step before it", "请在它之前加一个 `audit` 步骤"),
    (
        "the textfile collector only reads files ending in .prom",
        "textfile 采集器只读取以 .prom 结尾的文件",
    ),
    (
        "e.g. /var/lib/node_exporter/textfile_collector/govcloud_audit.prom",
        "例如 /var/lib/node_exporter/textfile_collector/govcloud_audit.prom",
    ),
    ("{what}: quota value {value} is not a whole number", "{what}：配额值 {value} 不是整数"),
    (
        "quota limits are whole numbers from 0 to 10,000,000, or -1 for unlimited",
        "配额上限是 0 到 10,000,000 的整数，或 -1 表示不限",
    ),
    ("{what}: quota value {value} is out of range", "{what}：配额值 {value} 超出范围"),
    ("unknown quota {wire_name}", "未知配额 {wire_name}"),
    (
        "per-volume-type quotas are gigabytes_<type>, volumes_<type>, snapshots_<type>",
        "按云硬盘类型的配额为 gigabytes_<类型>、volumes_<类型>、snapshots_<类型>",
    ),
    (
        "plan is sealed with {other}, this installation seals with {alg}",
        "计划用 {other} 封印，本安装使用 {alg} 封印",
    ),
    ("re-run `govcloud quota plan -f FILE` here", "请在此处重新运行 `govcloud quota plan -f FILE`"),
    (
        "plan was edited after `quota plan` wrote it (its seal does not verify)",
        "计划在 `quota plan` 写出后被修改过（封印校验不通过）",
    ),
    (
        "re-run `govcloud quota plan -f FILE`; change quotas in the inventory instead",
        "请重新运行 `govcloud quota plan -f FILE`；要改配额请修改清单",
    ),
    ("not a valid quota plan: {msg} (got {got})", "不是有效的配额计划：{msg}（实际为 {got}）"),
    ("write plans with `govcloud quota plan -f FILE`", "请用 `govcloud quota plan -f FILE` 写计划"),
    ("{source}: not a quota plan: JSON nested too deep", "{source}：不是配额计划：JSON 嵌套过深"),
    (
        "plan format version {version} is not accepted (this govcloud reads version {PLAN_VERSION}: plans sealed with the audit key)",
        "不接受计划格式版本 {version}（本版本 govcloud 读取版本 {PLAN_VERSION}：用审计密钥封印的计划）",
    ),
    (
        "re-run `govcloud quota plan -f FILE` to write a sealed plan",
        "请重新运行 `govcloud quota plan -f FILE` 写出封印的计划",
    ),
    (
        "change {i} names project {project_id} in pool {pool} that the plan did not read",
        "变更 {i} 指向资源池 {pool} 中的项目 {project_id}，但计划没有读取过它",
    ),
    ("re-run `govcloud quota plan -f FILE`", "请重新运行 `govcloud quota plan -f FILE`"),
    (
        "plan row {row}: the store declares no such project for that department and pool",
        "计划第 {row} 行：存储中没有为该部门和资源池声明这个项目",
    ),
    (
        "re-run `govcloud quota plan -f FILE` against the loaded inventory",
        "请基于已加载的清单重新运行 `govcloud quota plan -f FILE`",
    ),
    (
        "plan row {row}: target {after} is not the approved quota ({said})",
        "计划第 {row} 行：目标值 {after} 不是批准配额（{said}）",
    ),
    (
        "change quotas in the inventory, `govcloud inventory load` it, then re-plan",
        "请修改清单中的配额，用 `govcloud inventory load` 加载，然后重新规划",
    ),
    (
        "project {project} ({project_id}) is no longer in pool {pool}",
        "项目 {project}（{project_id}）已不在资源池 {pool} 中",
    ),
    (
        "re-run `govcloud quota plan`; the project may have been deleted",
        "请重新运行 `govcloud quota plan`；该项目可能已被删除",
    ),
    (
        "cloud changed since the plan: {v}; re-run quota plan",
        "自计划以来云已发生变化：{v}；请重新运行 quota plan",
    ),
    (
        "`govcloud quota plan -f FILE` reads the current values again",
        "`govcloud quota plan -f FILE` 会重新读取当前值",
    ),
    (
        "cloud changed since the plan: {project} {wire_name} is gone",
        "自计划以来云已发生变化：{project} {wire_name} 已不存在",
    ),
    ("refusing to set a quota below current usage: {v}", "拒绝把配额设得低于当前用量：{v}"),
    (
        "raise the approved quota in the inventory, or free the resources first",
        "请在清单中调高批准配额，或先释放资源",
    ),
    ("departments: {v}", "部门：{v}"),
    ("unknown report kind {kind}", "未知报告类型 {kind}"),
    ("kinds: {v}", "类型：{v}"),
    ("--attached and --unattached exclude each other", "--attached 和 --unattached 不能同时使用"),
    ("give one of them, or neither", "二者择一，或都不给"),
    (
        "{where}: roles.enabled must be true or false, not {enabled}",
        "{where}：roles.enabled 必须是 true 或 false，而不是 {enabled}",
    ),
    ("{where}: unknown role {unknown}", "{where}：未知角色 {unknown}"),
    ("roles: {v}", "角色：{v}"),
    (
        "{where}: roles.{role} must be a mapping with users and groups",
        "{where}：roles.{role} 必须是包含 users 和 groups 的映射",
    ),
    ("{where}: roles.{role}: unknown key {extra}", "{where}：roles.{role}：未知的键 {extra}"),
    ("users, groups", "可用键：users, groups"),
    (
        "{where}: {key} must be a list of names, not {value}",
        "{where}：{key} 必须是名称列表，而不是 {value}",
    ),
    (
        "{where}: {kind} {both} is both {first} and {second}",
        "{where}：{kind} {both} 同时是 {first} 和 {second}",
    ),
    (
        "三权分立: operator, auditor and security_admin must be different people; remove it from one role",
        "三权分立：operator、auditor 和 security_admin 必须是不同的人；请把它从其中一个角色中移除",
    ),
    ("unknown severity {text}", "未知严重级别 {text}"),
    ("use one of: {v}", "请使用以下之一：{v}"),
    (
        "Placement lists no allocations (404): allocations not synced",
        "Placement 没有列出分配（404）：未同步分配",
    ),
    (
        "no volume service in the catalog: volumes and volume quotas not synced",
        "服务目录中没有云硬盘服务：未同步云硬盘和云硬盘配额",
    ),
    (
        "the volume service has no {call} (404): {kind} not synced",
        "云硬盘服务没有 {call}（404）：未同步{kind}",
    ),
    (
        "no network service in the catalog: ports, floating IPs, security groups and network quotas not synced",
        "服务目录中没有网络服务：未同步端口、浮动 IP、安全组和网络配额",
    ),
    (
        "the network service has no {call} (404): {kind} not synced",
        "网络服务没有 {call}（404）：未同步{kind}",
    ),
    (
        "{duplicates} servers listed twice across pages (kept once)",
        "{duplicates} 台云主机在分页中重复出现（只保留一次）",
    ),
    ("cannot read the unit template {folder}: {strerror}", "无法读取单元模板 {folder}：{strerror}"),
    ("building the agent zipapp failed: {last}", "构建代理 zipapp 失败：{last}"),
    ("pass --zipapp", "请传入 --zipapp"),
    ("cannot read the zipapp {path}: {strerror}", "无法读取 zipapp {path}：{strerror}"),
    ("{host}: verify failed: {problem}", "{host}：校验失败：{problem}"),
    ("{name}: the SSH forward is not a stream", "{name}：SSH 转发不是流"),
    ("not declared in hosts.yaml: {v}", "未在 hosts.yaml 中声明：{v}"),
    (
        "add them to legacy_hosts and run `govcloud inventory load`",
        "请把它们加到 legacy_hosts 并运行 `govcloud inventory load`",
    ),
    (
        "the govcloud-agent sources are not installed with govcloud",
        "govcloud-agent 源码没有随 govcloud 安装",
    ),
    ("--window: {exc}", "--window：{exc}"),
    ("--window {text} is outside 1h..400d", "--window {text} 超出 1h..400d"),
    ("e.g. --window 14d", "例如 --window 14d"),
    ("{playbook}: no audit step", "{playbook}：没有 audit 步骤"),
    ("add a step with `type: audit`", "请添加一个 `type: audit` 步骤"),
    (
        "audit run {id} has no earlier completed run to compare with",
        "审计运行 {id} 之前没有可比较的已完成运行",
    ),
    (
        "run `govcloud audit run` again later, or pass --against RUN_ID",
        "请稍后再运行 `govcloud audit run`，或传入 --against RUN_ID",
    ),
    ("no audit run in the store yet", "存储中还没有审计运行"),
    ("no audit run {run_id}", "没有审计运行 {run_id}"),
    ("recent runs: {v}", "最近的运行：{v}"),
    ("run `govcloud audit run`", "请运行 `govcloud audit run`"),
    ("{output} is not a plain file", "{output} 不是普通文件"),
    ("export to a new file name", "请导出到一个新文件名"),
    ("{output} already exists", "{output} 已存在"),
    (
        "export to a new file name, or --force to replace it",
        "请导出到一个新文件名，或用 --force 替换它",
    ),
    ("give --before or --keep-days, not both", "--before 和 --keep-days 只能给一个"),
    ("no retention given", "未指定保留期限"),
    (
        "pass --before DATE or --keep-days N, or set audit_retention_days in the config",
        "请传入 --before DATE 或 --keep-days N，或在配置中设置 audit_retention_days",
    ),
    ("--keep-days must be at least 1, not {days}", "--keep-days 至少为 1，而不是 {days}"),
    (
        "the trail does not verify (first bad record: seq {seq}, {kind}): not pruning",
        "审计日志校验不通过（第一条坏记录：序号 {seq}，{kind}）：不清理",
    ),
    (
        "run `govcloud log verify` and investigate before pruning",
        "请运行 `govcloud log verify`，查明原因后再清理",
    ),
    ("{option}: not a date or duration: {text}", "{option}：不是日期或时长：{text}"),
    (
        "e.g. 2026-01-31, 2026-01-31T08:00, or 7d / 12h back from now",
        "例如 2026-01-31、2026-01-31T08:00，或 7d / 12h（从现在往前）",
    ),
    ("no audit key at {audit_key_path}", "{audit_key_path} 处没有审计密钥"),
    (
        "restore the key from its backup (or set audit_key in the config); without it the trail's seals cannot be checked",
        "请从备份恢复密钥（或在配置中设置 audit_key）；没有它就无法检查审计日志的封印",
    ),
    ("unknown export format {fmt}", "未知导出格式 {fmt}"),
    ("use jsonl or syslog", "请使用 jsonl 或 syslog"),
    ("folder {parent} does not exist", "文件夹 {parent} 不存在"),
    ("create it first", "请先创建它"),
    ("no playbook at {book}", "没有剧本 {book}"),
    ("run from a clone of the repository", "请在仓库的克隆中运行"),
    ("no example estate at {source}", "没有示例环境 {source}"),
    (
        "run from a clone of the repository, or pass --inventory DIR",
        "请在仓库的克隆中运行，或传入 --inventory DIR",
    ),
    ("not a simulated metric: {unknown}", "不是模拟指标：{unknown}"),
    ("history of {days} days", "{days} 天的历史"),
    ("days must be at least 1", "天数至少为 1"),
    (
        "fingerprint {text} is not an OpenSSH SHA256 fingerprint",
        "指纹 {text} 不是 OpenSSH SHA256 指纹",
    ),
    (
        "give it as `ssh-keygen -lf` prints it: SHA256: and 43 base64 characters",
        "请按 `ssh-keygen -lf` 打印的格式给出：SHA256: 加 43 个 base64 字符",
    ),
    (
        "give exactly one of --fingerprint and --from-known-hosts",
        "--fingerprint 和 --from-known-hosts 必须且只能给一个",
    ),
    ("{source} has no key for host {name} ({hid})", "{source} 中没有主机 {name} 的密钥（{hid}）"),
    (
        "a line must name the host as the ssh client did (`ssh-keygen -F` finds it)",
        "该行必须按 ssh 客户端的写法记录主机名（`ssh-keygen -F` 能找到）",
    ),
    ("host {name}: {message}", "主机 {name}：{message}"),
    (
        "do not trust this host until the fingerprint is confirmed out of band",
        "在带外确认指纹之前，不要信任此主机",
    ),
    ("name the hosts to discover, or give --all", "请指定要发现的主机，或给出 --all"),
    (
        "--concurrency must be 1..{MAX_CONCURRENCY}, not {concurrency}",
        "--concurrency 必须在 1..{MAX_CONCURRENCY} 之间，而不是 {concurrency}",
    ),
    (
        "--timeout must be more than 0 and at most 3600 s, not {host_timeout_s}",
        "--timeout 必须大于 0 且不超过 3600 秒，而不是 {host_timeout_s}",
    ),
    (
        "--command-timeout must be more than 0 and at most 3600 s, not {command_timeout_s}",
        "--command-timeout 必须大于 0 且不超过 3600 秒，而不是 {command_timeout_s}",
    ),
    (
        "{name} is a jump host: discovery runs on legacy hosts only",
        "{name} 是跳板机：发现只在存量主机上运行",
    ),
    ("no legacy host {name}", "没有存量主机 {name}"),
    ("no legacy host or jump host {name}", "没有存量主机或跳板机 {name}"),
    (
        "loading {directory} would remove {removal_text}; nothing was loaded",
        "加载 {directory} 将删除 {removal_text}；未加载任何内容",
    ),
    (
        "check the folder; add --prune to remove them (or answer yes on a terminal)",
        "请检查该文件夹；加上 --prune 删除它们（或在终端中回答 yes）",
    ),
    (
        "the store changed while the removals were being confirmed; nothing loaded",
        "确认删除期间存储发生了变化；未加载任何内容",
    ),
    ("run the load again", "请重新加载"),
    ("no scrape targets", "没有采集目标"),
    (
        "pass --targets FILE, or run `govcloud sync` so servers with addresses exist",
        "请传入 --targets FILE，或运行 `govcloud sync` 让带地址的云主机存在",
    ),
    ("--key-file needs --cert-file", "--key-file 需要 --cert-file"),
    ("give the client certificate too", "请同时给出客户端证书"),
    (
        "--basic-auth-user needs --basic-auth-password-file",
        "--basic-auth-user 需要 --basic-auth-password-file",
    ),
    ("put the password in a file readable only by you", "请把密码放在只有你能读取的文件中"),
    ("cannot read the basic-auth password file: {exc}", "无法读取 basic-auth 密码文件：{exc}"),
    ("unknown metric {metric}", "未知指标 {metric}"),
    ("metrics: {v}", "指标：{v}"),
    ("no VM or metrics target {vm}", "没有云主机或指标目标 {vm}"),
    (
        "`govcloud metrics show` lists every target with data",
        "`govcloud metrics show` 列出所有有数据的目标",
    ),
    ("not a targets file: {path}", "不是目标文件：{path}"),
    ("give the YAML list of targets", "请给出目标的 YAML 列表"),
    ("give a folder for --workloads-dir", "请为 --workloads-dir 给出一个文件夹"),
    ("no playbook file {path}", "没有剧本文件 {path}"),
    ("`govcloud playbook list`", "参见 `govcloud playbook list`"),
    ("no directory {directory}", "没有目录 {directory}"),
    ("e.g. `playbook list playbooks`", "例如 `playbook list playbooks`"),
    ("no declared projects to plan for", "没有可规划的已声明项目"),
    ("declare projects under departments first", "请先在部门下声明项目"),
    (
        "pool {pool_code}: {candidates} projects are named {project_name}",
        "资源池 {pool_code}：有 {candidates} 个项目名为 {project_name}",
    ),
    (
        "declare the project_id of the department's project in the inventory",
        "请在清单中声明该部门项目的 project_id",
    ),
    ("cannot write plan: {message}", "无法写入计划：{message}"),
    ("cannot write plan: {path} is not a plain file", "无法写入计划：{path} 不是普通文件"),
    (
        "cannot write plan: {path} exists and is not a quota plan",
        "无法写入计划：{path} 已存在且不是配额计划",
    ),
    ("write the plan to a new file name", "请把计划写到一个新文件名"),
    ("unknown quota resource {resource}", "未知配额资源 {resource}"),
    (
        "resources: {v}, or gigabytes_<type>, volumes_<type>, snapshots_<type>",
        "资源：{v}，或 gigabytes_<类型>、volumes_<类型>、snapshots_<类型>",
    ),
    (
        "inventory changed since the plan: re-run quota plan",
        "自计划以来清单已变化：请重新运行 quota plan",
    ),
    (
        "`govcloud quota plan -f FILE` plans against the inventory the store holds",
        "`govcloud quota plan -f FILE` 会基于存储中的清单重新规划",
    ),
    (
        "unknown project {project} ({project_id}) in pool {pool}",
        "资源池 {pool} 中的未知项目 {project}（{project_id}）",
    ),
    (
        "the project is gone from Keystone; re-run `govcloud quota plan`",
        "该项目已从 Keystone 中消失；请重新运行 `govcloud quota plan`",
    ),
    (
        "the quota update of {project} ({service}) was sent, its outcome ({outcome}) could not be recorded: {message}",
        "{project}（{service}）的配额更新已发送，但其结果（{outcome}）无法记录：{message}",
    ),
    (
        "once the store is writable, `govcloud quota reconcile` settles it",
        "存储可写后，`govcloud quota reconcile` 会处理它",
    ),
    ("plan {path} is larger than 32 MiB", "计划 {path} 超过 32 MiB"),
    ("is it a quota plan?", "这是配额计划吗？"),
    ("plan file {path} does not exist", "计划文件 {path} 不存在"),
    ("write one: `govcloud quota plan -f FILE`", "请先生成：`govcloud quota plan -f FILE`"),
    ("cannot read plan {path}: {exc}", "无法读取计划 {path}：{exc}"),
    ("e.g. --format html,xlsx,workloads", "例如 --format html,xlsx,workloads"),
    ("`govcloud audit show` lists runs", "`govcloud audit show` 列出各次运行"),
    ("unknown language {lang}", "未知语言 {lang}"),
    ("languages: {v}", "语言：{v}"),
    ("rightsize {where}: {msg}", "rightsize {where}：{msg}"),
    ("`govcloud playbook schema` lists the bounds", "`govcloud playbook schema` 列出取值范围"),
    ("permission denied: {reason}", "权限不足：{reason}"),
    ("cannot read the roles policy {path}: {strerror}", "无法读取角色策略 {path}：{strerror}"),
    (
        "roles policy {path} must be owned by root and writable by root only",
        "角色策略 {path} 必须属于 root 且只有 root 可写",
    ),
    (
        "chown root:root {path} && chmod 644 {path2}",
        "执行 chown root:root {path} && chmod 644 {path2}",
    ),
    ("{path}: cannot read roles policy: {first}", "{path}：无法读取角色策略：{first}"),
    ("{path}: a `roles:` mapping is expected", "{path}：应为 `roles:` 映射"),
    ("see docs/roles.md", "参见 docs/roles.md"),
    ("{path}: config must be a mapping of keys", "{path}：配置必须是键的映射"),
    ("{path}: unknown config key {unknown}", "{path}：未知配置键 {unknown}"),
    ("known keys: {v}", "已知的键：{v}"),
    (
        "{path}: config key {key} must be a non-empty text, not {shown}",
        "{path}：配置键 {key} 必须是非空文本，而不是 {shown}",
    ),
    ("use zh or en", "请使用 zh 或 en"),
    ("unknown output format {chosen_output}", "未知输出格式 {chosen_output}"),
    (
        "{path}: sync_full_every_h must be a positive number of hours, not {value}",
        "{path}：sync_full_every_h 必须是正的小时数，而不是 {value}",
    ),
    ("e.g. sync_full_every_h: 24", "例如 sync_full_every_h: 24"),
    (
        "{path}: {key} must be one of {allowed}, not {value}",
        "{path}：{key} 必须是 {allowed} 之一，而不是 {value}",
    ),
    (
        "{path}: {key} must be a file path, not {value}",
        "{path}：{key} 必须是文件路径，而不是 {value}",
    ),
    (
        "{path}: {key} must be true or false, not {value}",
        "{path}：{key} 必须是 true 或 false，而不是 {value}",
    ),
    (
        "{path}: audit_retention_days must be a whole number of days >= 1, not {value}",
        "{path}：audit_retention_days 必须是 >= 1 的整数天数，而不是 {value}",
    ),
    (
        "e.g. audit_retention_days: 180 (MLPS level 3 asks for at least six months)",
        "例如 audit_retention_days: 180（等保三级要求至少六个月）",
    ),
    ("{path}: {key} must be a mapping", "{path}：{key} 必须是映射"),
    ("config file {path} does not exist", "配置文件 {path} 不存在"),
    ("`govcloud init` writes one", "`govcloud init` 会写一个"),
    (
        "{path}: config file is larger than {MAX_CONFIG_BYTES} KiB",
        "{path}：配置文件超过 {MAX_CONFIG_BYTES} KiB",
    ),
    (
        "a config holds a dozen keys; is --config pointing at the right file?",
        "配置只有十几个键；--config 指向的文件对吗？",
    ),
    ("{path}: cannot read config: {reason}", "{path}：无法读取配置：{reason}"),
    ("no pools declared in the store", "存储中没有声明资源池"),
    ("run `govcloud inventory load DIR` first", "请先运行 `govcloud inventory load DIR`"),
    ("pools: {v}", "资源池：{v}"),
    ("cannot write the audit trail: {name}", "无法写入审计日志：{name}"),
    (
        "fix the store, then run the command again (nothing was changed)",
        "请修复存储，然后重新运行命令（未做任何更改）",
    ),
    ("a change ticket is required (require_ticket: true)", "需要变更工单（require_ticket: true）"),
    ("pass --ticket ID of the approved change request", "请传入已批准变更请求的 --ticket ID"),
    ("cannot read the audit key {path}: {strerror}", "无法读取审计密钥 {path}：{strerror}"),
    (
        "the key must be readable by the operator running govcloud (mode 0600)",
        "运行 govcloud 的操作员必须能读取该密钥（权限 0600）",
    ),
    ("audit key {path} is shorter than {KEY_BYTES} bytes", "审计密钥 {path} 短于 {KEY_BYTES} 字节"),
    (
        "restore the key from its backup; a new key would not verify the old records",
        "请从备份恢复密钥；新密钥无法校验旧记录",
    ),
    (
        "run as the operator who owns the key (mode 0600), or set audit_key",
        "请以拥有该密钥的操作员身份运行（权限 0600），或设置 audit_key",
    ),
    ("restore the key from its backup", "请从备份恢复密钥"),
    ("cannot create the audit key {path}: {strerror}", "无法创建审计密钥 {path}：{strerror}"),
)

# lines put together from parts the source walk of tests/cli/test_messages.py cannot read
# (sync's stall notices and call errors, scrape errors, count lists, log verify's verdict);
# tests/cli/test_zh_everywhere.py runs the commands that print them
ASSEMBLED: tuple[tuple[str, str], ...] = (
    ("{failed} of {total} targets failed", "{total} 个目标中 {failed} 个失败"),
    ("{targets} targets ok", "{targets} 个目标全部成功"),
    ("connection refused", "连接被拒绝"),
    ("connection reset", "连接被重置"),
    ("host name does not resolve", "主机名无法解析"),
    ("cannot connect ({name})", "无法连接（{name}）"),
    ("Keystone {reason}", "Keystone：{reason}"),
    (
        "GET {path}: {last} after {tried} tries in {spent} s",
        "GET {path}：{last}（尝试 {tried} 次，用时 {spent} 秒）",
    ),
    ("GET {path}: {last} after {tried} tries", "GET {path}：{last}（尝试 {tried} 次）"),
    (
        "GET {path}: {last} after {tried} try in {spent} s",
        "GET {path}：{last}（尝试 {tried} 次，用时 {spent} 秒）",
    ),
    ("GET {path}: {last} after {tried} try", "GET {path}：{last}（尝试 {tried} 次）"),
    (
        "--timeout bounds each call, its retries included",
        "--timeout 限定每次调用的总时长（含重试）",
    ),
    (
        "pool {pool}: {call}: waiting for {whom}: no answer after {waited} s, gives up after {budget} s",
        "资源池 {pool}：{call}：正在等待 {whom}：{waited} 秒无应答，{budget} 秒后放弃",
    ),
    (
        "pool {pool}: {call}: waiting for {whom}: no answer after {waited} s",
        "资源池 {pool}：{call}：正在等待 {whom}：{waited} 秒无应答",
    ),
    ("Keystone at {url} (authenticating)", "{url} 上的 Keystone（认证中）"),
    ("the {service} service", "{service} 服务"),
    ("Remove them?", "是否删除？"),
    ("{n} pools", "{n} 个资源池"),
    ("{n} departments", "{n} 个部门"),
    ("{n} projects", "{n} 个项目"),
    ("{n} systems", "{n} 个业务系统"),
    ("{n} jump hosts", "{n} 台跳板机"),
    ("{n} legacy hosts", "{n} 台待迁移主机"),
    ("{n} prices", "{n} 条价格"),
    (
        "delete {records} audit records (through seq {through_seq})?",
        "删除 {records} 条审计记录（至序号 {through_seq}）？",
    ),
    ("chain intact: {records} records, {span}, {head}", "链完好：{records} 条记录，{span}，{head}"),
    ("seq {first}..{last}", "序号 {first}..{last}"),
    ("no records", "无记录"),
    ("head anchored", "链头已锚定"),
    (
        "head anchored at seq {head_seq} (later records were anchored on another host)",
        "链头锚定在序号 {head_seq}（之后的记录在另一台主机上锚定）",
    ),
    (
        "head NOT anchored on this host (no head file): a truncated tail cannot be told",
        "链头未在本机锚定（无链头文件）：无法判断末尾是否被截断",
    ),
    ("head anchored beyond the last record", "链头锚定在最后一条记录之后"),
    ("head not checked: the chain breaks before its end", "未检查链头：链在末尾之前已断开"),
    # the warm reader (cli/warm.py)
    ("a warm reader runs already (pid {pid})", "常驻读取进程已在运行（进程号 {pid}）"),
    (
        "warm reader started (pid {pid}); it stops after {idle} min without a command",
        "常驻读取进程已启动（进程号 {pid}）；{idle} 分钟内没有命令时自动停止",
    ),
    ("no warm reader runs for this install", "本安装没有运行中的常驻读取进程"),
    (
        "stopped the warm reader of an earlier install (pid {pid})",
        "已停止先前安装的常驻读取进程（进程号 {pid}）",
    ),
    (
        "warm reader stopped (pid {pid}, {served} commands served)",
        "常驻读取进程已停止（进程号 {pid}，应答了 {served} 条命令）",
    ),
    (
        "--idle must be 1 to {most} minutes, not {idle}",
        "--idle 须为 1 到 {most} 分钟，而不是 {idle}",
    ),
    (
        "{var}=0 is set: read commands would not use a warm reader",
        "已设置 {var}=0：读取命令不会使用常驻读取进程",
    ),
    ("unset {var} first", "请先取消设置 {var}"),
    ("the warm reader did not start within {s} s", "常驻读取进程未能在 {s} 秒内启动"),
    ("its log is {log}", "其日志为 {log}"),
    (
        "this store's servers were synced from the built-in sandbox: their addresses are "
        "made up and are never scraped",
        "此存储中的服务器来自内置沙箱：其地址是虚构的，不会被采集",
    ),
    (
        "pass --targets FILE naming agents you run (e.g. on 127.0.0.1), without --port",
        "请用 --targets FILE 指定你运行的代理（例如在 127.0.0.1 上），且不要加 --port",
    ),
    ("the command ended abnormally in the warm reader", "命令在常驻读取进程中异常结束"),
)

ENTRIES = _ordered(CATALOGUE + EXTRA)
_ALL = _ordered(CATALOGUE + EXTRA + ASSEMBLED + VALUES + CLICK + YAML_PROBLEMS)
